using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Relief.ServiceDefaults.Authentication;

/// <summary>
/// Access tokens this service has already validated, until they expire. A member of staff sends the same token with
/// every request for its 15 minutes: checking its RSA signature and building its claims once is enough (under load
/// that was a tenth of intake's CPU). A token is only ever found here after passing every check, and leaves when it
/// expires; a signing key withdrawn from the authority's key set stops new tokens at once, and tokens it signed earlier
/// at their expiry, as without this cache for any token already in a service's hands.
/// </summary>
public sealed class ValidatedTokens : IDisposable
{
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 20_000 });

    public static JwtBearerEvents Events() => new()
    {
        OnMessageReceived = context =>
        {
            var tokens = context.HttpContext.RequestServices.GetRequiredService<ValidatedTokens>();
            if (BearerToken(context.Request.Headers.Authorization.ToString()) is { } token
                && tokens.cache.TryGetValue(token, out ClaimsPrincipal? principal) && principal is not null)
            {
                // A copy: the pipeline may add to the principal it is given.
                context.Principal = principal.Clone();
                context.Success();
            }

            return Task.CompletedTask;
        },
        OnTokenValidated = context =>
        {
            if (context.Principal is { } principal && context.SecurityToken.ValidTo > DateTime.UtcNow
                && BearerToken(context.Request.Headers.Authorization.ToString()) is { } token)
            {
                var tokens = context.HttpContext.RequestServices.GetRequiredService<ValidatedTokens>();
                tokens.cache.Set(token, principal.Clone(), new MemoryCacheEntryOptions
                {
                    AbsoluteExpiration = new DateTimeOffset(context.SecurityToken.ValidTo, TimeSpan.Zero),
                    Size = 1,
                });
            }

            return Task.CompletedTask;
        },
    };

    private static string? BearerToken(string authorization) =>
        authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7
            ? authorization[7..].Trim()
            : null;

    public void Dispose() => cache.Dispose();
}
