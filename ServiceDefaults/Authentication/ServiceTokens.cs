using System.Net;
using System.Net.Http.Headers;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Relief.ServiceDefaults.Authentication;

/// <summary>The service's own client at the authority (section "ServiceClient"), for calls one service makes to another.</summary>
public sealed class ServiceClientSettings
{
    public const string SectionName = "ServiceClient";

    public string ClientId { get; set; } = "";
    public string ClientSecret { get; set; } = "";
}

/// <summary>The client ids of services that call other services; an endpoint for one of them names it.</summary>
public static class ReliefServiceClients
{
    /// <summary>Registry, reading the person of a registered case from Intake for the register of persons.</summary>
    public const string Registry = "relief-registry";

    /// <summary>Referral, reading the facts of a case from Intake to classify it (分类救助).</summary>
    public const string Referral = "relief-referral";

    /// <summary>Reporting, reading a case's facts for its statistics and the sources' history to rebuild its read model.</summary>
    public const string Reporting = "relief-reporting";

    /// <summary>Family search, reading what a notice is drafted from (the person as registered) from Intake.</summary>
    public const string FamilySearch = "relief-familysearch";
}

/// <summary>
/// This service's access token (client credentials), fetched when first needed and kept until a minute before it
/// expires. The token endpoint comes from the authority's discovery document, which token validation already reads.
/// </summary>
public sealed class ServiceTokens(
    IHttpClientFactory httpClients, IOptionsMonitor<JwtBearerOptions> bearer, IOptions<ServiceClientSettings> settings,
    TimeProvider clock) : IDisposable
{
    public const string AuthorityClient = "relief-authority";
    private readonly SemaphoreSlim fetching = new(1, 1);
    private (string Token, DateTimeOffset RenewAt)? current;

    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        if (current is { } held && clock.GetUtcNow() < held.RenewAt)
        {
            return held.Token;
        }

        await fetching.WaitAsync(cancellationToken);
        try
        {
            if (current is { } fetched && clock.GetUtcNow() < fetched.RenewAt)
            {
                return fetched.Token;
            }

            var options = bearer.Get(JwtBearerDefaults.AuthenticationScheme);
            var configuration = await options.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
            using var http = httpClients.CreateClient(AuthorityClient);
            var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
            {
                Address = configuration.TokenEndpoint,
                ClientId = settings.Value.ClientId,
                ClientSecret = settings.Value.ClientSecret,
                Scope = "relief",
            }, cancellationToken);
            if (response.IsError || response.AccessToken is null)
            {
                // Transient to the caller: a consumer retries, the authority may be restarting.
                throw new HttpRequestException($"The authority refused a service token: {response.Error}", null,
                    response.HttpStatusCode == 0 ? HttpStatusCode.ServiceUnavailable : response.HttpStatusCode);
            }

            current = (response.AccessToken, clock.GetUtcNow().AddSeconds(Math.Max(0, response.ExpiresIn - 60)));
            return response.AccessToken;
        }
        finally
        {
            fetching.Release();
        }
    }

    /// <summary>The token was refused (the authority rotated its keys, say): fetch a new one next time.</summary>
    public void Forget() => current = null;

    public void Dispose() => fetching.Dispose();
}

/// <summary>Sends the service's own token; on a 401 fetches a fresh one and tries once more.</summary>
public sealed class ServiceTokenHandler(ServiceTokens tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(cancellationToken));
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Content is not null)
        {
            return response;
        }

        response.Dispose();
        tokens.Forget();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }
}

public static class ServiceTokenExtensions
{
    /// <summary>Calls through this client carry the service's own access token (client credentials).</summary>
    public static IHttpClientBuilder AddServiceToken(this IHttpClientBuilder client)
    {
        var services = client.Services;
        services.AddOptions<ServiceClientSettings>().BindConfiguration(ServiceClientSettings.SectionName)
            .Validate(s => s.ClientId.Length > 0 && s.ClientSecret.Length > 0, "ServiceClient:ClientId and ServiceClient:ClientSecret are required.")
            .ValidateOnStart();
        services.AddHttpClient(ServiceTokens.AuthorityClient);
        services.AddSingleton<ServiceTokens>();
        services.AddTransient<ServiceTokenHandler>();
        return client.AddHttpMessageHandler<ServiceTokenHandler>();
    }
}
