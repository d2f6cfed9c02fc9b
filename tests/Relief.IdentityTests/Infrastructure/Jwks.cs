using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

using Relief.Testing;

namespace Relief.IdentityTests.Infrastructure;

/// <summary>Validates tokens the way a service does: against the keys the authority publishes.</summary>
public static class Jwks
{
    public static async Task<JsonWebKeySet> FetchAsync(HttpClient authority) =>
        new(await authority.GetStringAsync(new Uri("/.well-known/jwks", UriKind.Relative)));

    public static async Task<TokenValidationResult> ValidateAsync(HttpClient authority, string token) =>
        await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Authority.Issuer,
            ValidAudience = "relief",
            IssuerSigningKeys = (await FetchAsync(authority)).GetSigningKeys(),
            ClockSkew = TimeSpan.Zero,
        });

    public static JsonWebToken Read(string token) => new(token);
}
