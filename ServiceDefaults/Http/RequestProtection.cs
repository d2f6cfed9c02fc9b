using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.ServiceDefaults.Http;

public sealed class RequestProtectionOptions
{
    /// <summary>Requests a user (or, before sign-in, an address) may make per minute.</summary>
    public int PermitsPerMinute { get; set; } = 600;

    /// <summary>The largest request body accepted; Relief's requests are small forms.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;
}

/// <summary>Per-user rate limits, body size limits, security headers and log redaction.</summary>
public static class RequestProtection
{
    public static TBuilder AddReliefRequestProtection<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var settings = builder.Configuration.GetSection("RequestProtection").Get<RequestProtectionOptions>() ?? new();

        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes);

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                IsHealthProbe(http.Request.Path)
                    ? RateLimitPartition.GetNoLimiter("health")
                    : RateLimitPartition.GetFixedWindowLimiter(PartitionKey(http), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = settings.PermitsPerMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"At most {settings.PermitsPerMinute} requests a minute; try again shortly.",
                    },
                });
            };
        });
        return builder;
    }

    /// <summary>Values classified as personal data are erased before any log provider (console, OTLP) sees them.</summary>
    public static TBuilder AddLogRedaction<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.EnableRedaction();
        builder.Services.AddRedaction(redaction =>
        {
            redaction.SetRedactor<ErasingRedactor>(new DataClassificationSet(ReliefDataClassification.Personal));
            redaction.SetFallbackRedactor<ErasingRedactor>();
        });
        return builder;
    }

    public static WebApplication UseReliefRequestProtection(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Headers that keep browsers from sniffing, framing or caching answers that carry personal data.</summary>
    public static WebApplication UseSecurityHeaders(
        this WebApplication app, string contentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'")
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = contentSecurityPolicy;
            // Answers carry personal data: no browser or proxy keeps a copy.
            headers.CacheControl = "no-store";
            return next(context);
        });
        return app;
    }

    private static bool IsHealthProbe(PathString path) =>
        path.StartsWithSegments(Extensions.HealthEndpointPath) || path.StartsWithSegments(Extensions.AlivenessEndpointPath);

    /// <summary>The signed-in user's id; before sign-in, the client's address.</summary>
    private static string PartitionKey(HttpContext http) =>
        http.User.FindFirst(ReliefClaims.Subject)?.Value is { Length: > 0 } subject
            ? "user:" + subject
            : "address:" + http.Connection.RemoteIpAddress;
}
