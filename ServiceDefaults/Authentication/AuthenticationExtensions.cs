using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Relief.ServiceDefaults.Authentication;

public static class AuthenticationExtensions
{
    /// <summary>
    /// Bearer tokens on every endpoint (the fallback policy), so an endpoint someone forgets to protect is
    /// protected anyway; health endpoints opt out explicitly.
    /// </summary>
    public static TBuilder AddReliefAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<TokenValidationSettings>()
            .BindConfiguration(TokenValidationSettings.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<ValidatedTokens>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<TokenValidationSettings>>((options, settings) =>
            {
                var tokens = settings.Value;
                options.Authority = tokens.Authority;
                options.Audience = tokens.Audience;
                options.RequireHttpsMetadata = tokens.RequireHttpsMetadata;
                options.AutomaticRefreshInterval = tokens.KeyRefreshInterval;
                // A token with an unknown key id triggers a re-read, at most this often.
                options.RefreshInterval = TimeSpan.FromSeconds(30);
                // Keep claim names as issued ("role", "county"), not mapped to long WS-* URIs.
                options.MapInboundClaims = false;
                options.Events = ValidatedTokens.Events();
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidAudience = tokens.Audience,
                    NameClaimType = ReliefClaims.Subject,
                    RoleClaimType = ReliefClaims.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
            });

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return builder;
    }
}
