using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Portal.Sessions;

/// <summary>
/// Runs on every request with a session: when the access token nears its end, or the last check is older than
/// <see cref="PortalSettings.RecheckEvery"/>, it redeems the refresh token at the authority. A refusal (the user was
/// disabled, locked out or their office closed) ends the session; a new token brings the user's current role and
/// office into the portal.
/// </summary>
public sealed partial class SessionRefresher(
    IHttpClientFactory httpClients, IOptionsMonitor<OpenIdConnectOptions> oidc, IOptions<PortalSettings> settings,
    TimeProvider clock, ILogger<SessionRefresher> logger)
{
    private const string CheckedAt = "checked_at";
    private static readonly TimeSpan RefreshBeforeExpiry = TimeSpan.FromMinutes(1);

    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var properties = context.Properties;
        var now = clock.GetUtcNow();
        var expiresAt = DateTimeOffset.TryParse(properties.GetTokenValue("expires_at"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at : DateTimeOffset.MinValue;
        var checkedAt = properties.Items.TryGetValue(CheckedAt, out var value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var c)
            ? c : properties.IssuedUtc ?? DateTimeOffset.MinValue;
        if (now < expiresAt - RefreshBeforeExpiry && now - checkedAt < settings.Value.RecheckEvery)
        {
            return;
        }

        var refreshToken = properties.GetTokenValue("refresh_token");
        var outcome = refreshToken is null ? null : await RefreshAsync(refreshToken, context.HttpContext.RequestAborted);
        switch (outcome)
        {
            case { Refused: true } or null:
                LogSessionEnded(logger, context.Principal?.FindFirst(ReliefClaims.Subject)?.Value);
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(PortalServices.CookieScheme);
                return;
            case { Tokens: null }:
                // The authority could not be reached: the session goes on while its access token lasts.
                if (now >= expiresAt)
                {
                    context.RejectPrincipal();
                }

                return;
            case { Tokens: { } tokens }:
                properties.UpdateTokenValue("access_token", tokens.AccessToken);
                if (tokens.RefreshToken is not null)
                {
                    properties.UpdateTokenValue("refresh_token", tokens.RefreshToken);
                }

                if (tokens.IdToken is not null)
                {
                    properties.UpdateTokenValue("id_token", tokens.IdToken);
                }

                properties.UpdateTokenValue("expires_at", now.AddSeconds(tokens.ExpiresIn).ToString("o", CultureInfo.InvariantCulture));
                properties.Items[CheckedAt] = now.ToString("o", CultureInfo.InvariantCulture);
                context.ReplacePrincipal(PrincipalFrom(tokens.AccessToken));
                context.ShouldRenew = true;
                return;
        }
    }

    /// <summary>The user as the new access token describes them (it came straight from the authority, over its back channel).</summary>
    private static ClaimsPrincipal PrincipalFrom(string accessToken)
    {
        var token = new JsonWebTokenHandler().ReadJsonWebToken(accessToken);
        var kept = new HashSet<string>
        {
            ReliefClaims.Subject, ReliefPortalClaims.Name, ReliefClaims.Role, ReliefClaims.Office, ReliefClaims.OfficeKind, ReliefClaims.County,
        };
        var identity = new ClaimsIdentity(token.Claims.Where(claim => kept.Contains(claim.Type)), PortalServices.OidcScheme,
            ReliefPortalClaims.Name, ReliefClaims.Role);
        return new ClaimsPrincipal(identity);
    }

    private async Task<RefreshOutcome> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var options = oidc.Get(PortalServices.OidcScheme);
        try
        {
            var configuration = await options.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
            using var http = httpClients.CreateClient(nameof(SessionRefresher));
            using var response = await http.PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = refreshToken,
                ["client_id"] = options.ClientId!,
                ["client_secret"] = options.ClientSecret!,
            }), cancellationToken);
            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return new RefreshOutcome(Refused: true, Tokens: null);
            }

            if (!response.IsSuccessStatusCode)
            {
                return new RefreshOutcome(Refused: false, Tokens: null);
            }

            var tokens = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken);
            return new RefreshOutcome(Refused: tokens?.AccessToken is null, Tokens: tokens);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            LogAuthorityUnreachable(logger, e.GetType().Name);
            return new RefreshOutcome(Refused: false, Tokens: null);
        }
    }

    private sealed record RefreshOutcome(bool Refused, TokenResponse? Tokens);

    private sealed record TokenResponse(
        [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
        [property: System.Text.Json.Serialization.JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: System.Text.Json.Serialization.JsonPropertyName("id_token")] string? IdToken,
        [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn);

    [LoggerMessage(Level = LogLevel.Information, Message = "The authority refused to refresh the session of user {Subject}; it ends")]
    private static partial void LogSessionEnded(ILogger logger, string? subject);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The authority could not be reached to refresh a session ({Error}); it goes on while its token lasts")]
    private static partial void LogAuthorityUnreachable(ILogger logger, string error);
}
