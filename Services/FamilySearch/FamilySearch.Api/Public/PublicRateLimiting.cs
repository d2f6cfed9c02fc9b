using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Relief.FamilySearch.Public;

/// <summary>
/// The public notices' own budget per client address, on top of the service-wide one (which is sized for signed-in
/// staff): anyone may read the notices, nobody may harvest them. Over budget → 429 problem details with Retry-After.
/// </summary>
public sealed class PublicRateLimitPolicy(IOptions<PublicNoticeOptions> options) : IRateLimiterPolicy<string>
{
    public const string Name = "public-notices";

    private readonly int permitsPerMinute = options.Value.PermitsPerMinute;
    private readonly string? clientAddressHeader = options.Value.ClientAddressHeader;

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (context, cancellationToken) =>
    {
        var http = context.HttpContext;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "请求过于频繁 / Too many requests",
                Detail = $"每分钟最多 {permitsPerMinute} 次，请稍后再试 / at most {permitsPerMinute} requests a minute; try again shortly.",
            },
        });
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        RateLimitPartition.GetFixedWindowLimiter("address:" + ClientAddress(httpContext), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });

    /// <summary>The client's address: from the proxy's header when one is configured and present, else the connection's.</summary>
    private string? ClientAddress(HttpContext http)
    {
        if (clientAddressHeader is not null
            && http.Request.Headers[clientAddressHeader].ToString().Split(',')[0].Trim() is { Length: > 0 } forwarded)
        {
            return forwarded;
        }

        return http.Connection.RemoteIpAddress?.ToString();
    }
}
