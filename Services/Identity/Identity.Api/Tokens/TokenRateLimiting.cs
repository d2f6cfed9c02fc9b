using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Relief.Identity.Tokens;

/// <summary>
/// Slows password guessing on the token endpoint: a budget per client address and one per user name (so a
/// spread-out attack on one account is slowed too). Over budget → 429 problem details. Lock-out still applies
/// within the budget. Behind a reverse proxy, configure forwarded headers so the client address is the real one.
/// </summary>
public static class TokenRateLimiting
{
    public static IServiceCollection AddTokenRateLimiting(this IServiceCollection services, IdentitySettings.RateLimitSettings settings)
    {
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsTokenRequest(http)
                    ? PerMinute($"ip:{http.Connection.RemoteIpAddress}", settings.TokenRequestsPerIpPerMinute)
                    : RateLimitPartition.GetNoLimiter("")),
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsTokenRequest(http) && UserNameOf(http) is { } userName
                    ? PerMinute($"user:{userName}", settings.TokenRequestsPerUserPerMinute)
                    : RateLimitPartition.GetNoLimiter("")));
            options.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many token requests.",
                        Detail = "Wait a minute before trying again.",
                    },
                });
            };
        });
        return services;
    }

    /// <summary>
    /// Reads the token request's form before the rate limiter runs (its partitioning is synchronous); the parsed
    /// form is cached on the request, so OpenIddict reads the same one.
    /// </summary>
    public static IApplicationBuilder UseTokenRateLimiting(this IApplicationBuilder app)
    {
        app.Use(async (http, next) =>
        {
            if (IsTokenRequest(http) && http.Request.HasFormContentType)
            {
                try
                {
                    await http.Request.ReadFormAsync(http.RequestAborted);
                }
                catch (InvalidDataException)
                {
                    // Over the form limits (FormOptions): too many or too long values.
                    http.Response.StatusCode = StatusCodes.Status400BadRequest;
                    await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = http,
                        ProblemDetails = new ProblemDetails { Status = StatusCodes.Status400BadRequest, Title = "The form is too large." },
                    });
                    return;
                }
            }

            await next(http);
        });
        app.UseRateLimiter();
        return app;
    }

    /// <summary>The token endpoint and the sign-in page's form: both try a password, so both count.</summary>
    private static bool IsTokenRequest(HttpContext http) =>
        HttpMethods.IsPost(http.Request.Method)
        && (http.Request.Path.Equals(TokenEndpoint.Path, StringComparison.OrdinalIgnoreCase)
            || http.Request.Path.Equals(SignIn.SignInCookie.LoginPath, StringComparison.OrdinalIgnoreCase));

    private static string? UserNameOf(HttpContext http) =>
        http.Request.HasFormContentType && http.Request.Form.TryGetValue(Parameters.Username, out var userName) && !string.IsNullOrEmpty(userName)
            ? userName.ToString().ToUpperInvariant()
            : null;

    private static RateLimitPartition<string> PerMinute(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
}
