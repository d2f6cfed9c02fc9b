using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

using Relief.Testing;

namespace Relief.IdentityTests.Infrastructure;

/// <summary>
/// A stand-in for a Relief service: plain JwtBearer pointed at the authority (discovery document and JWKS
/// fetched over the test server), one endpoint that needs a token.
/// </summary>
public sealed class ProtectedApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ProtectedApi(WebApplication app) => _app = app;

    public HttpClient CreateClient(string token)
    {
        var client = _app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    public static async Task<ProtectedApi> StartAsync(Authority authority)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.Authority = Authority.Issuer;
            options.Audience = "relief";
            options.RequireHttpsMetadata = false;
            options.MapInboundClaims = false;
            options.BackchannelHttpHandler = authority.Server.CreateHandler();
            options.TokenValidationParameters.ClockSkew = TimeSpan.Zero;
            options.TokenValidationParameters.NameClaimType = "name";
            options.TokenValidationParameters.RoleClaimType = "role";
        });
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/whoami", (ClaimsPrincipal user) => Results.Ok(new
        {
            sub = user.FindFirstValue("sub"),
            role = user.FindFirstValue("role"),
            office = user.FindFirstValue("office"),
            county = user.FindFirstValue("county"),
        })).RequireAuthorization();
        await app.StartAsync();
        return new ProtectedApi(app);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
