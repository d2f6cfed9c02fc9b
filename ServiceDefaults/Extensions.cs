using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Http;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Health;
using Relief.ServiceDefaults.Http;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.ServiceDefaults;

/// <summary>
/// What every Relief service has: telemetry to the dashboard, health, service discovery with resilient HTTP,
/// problem details for every error, and bearer-token authentication on everything but health.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddBasicServiceDefaults();
        builder.AddReliefAuthentication();
        builder.AddReliefRequestProtection();
        return builder;
    }

    /// <summary>
    /// Everything but how callers are authenticated and limited: for the identity authority, which validates the
    /// tokens it issues itself and limits its token endpoint its own way.
    /// </summary>
    public static TBuilder AddBasicServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // One pipeline per service called (its logical address, before discovery resolves it): registered here for
            // every client, the standard pipeline would otherwise be one instance with one circuit breaker for all of
            // them (dotnet/extensions#5021) — one service failing would cut a caller off from the others too.
            http.AddStandardResilienceHandler().SelectPipelineByAuthority();
            http.AddServiceDiscovery();
        });

        // Four lines per outgoing call from the HTTP client factory and one from the resilience pipeline, at Information:
        // on a call per case that was most of the log volume the dashboard had to take in. Their spans stay; failures
        // still log as warnings. Configuration can lower these again for a diagnosis.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddReliefProblemDetails();
        builder.AddLogRedaction();
        builder.Services.AddOpenApi();
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        // After authentication, so limits are per user; before authorization, so refusals count too.
        app.UseReliefRequestProtection();
        app.UseAuthorization();
        // After authorization, so a caller without a token is told that first.
        app.UseControlCharacterRejection();
        app.MapHealthEndpoints();
        app.MapOpenApiDocument();
        return app;
    }

    /// <summary>
    /// The service's OpenAPI document at <c>/openapi/v1.json</c>, open to all (it describes, it holds no data): the
    /// portal's typed clients follow it, and an office's own systems integrate from it.
    /// </summary>
    public static IEndpointRouteBuilder MapOpenApiDocument(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi().AllowAnonymous();
        return app;
    }

    /// <summary>
    /// <c>/health</c> and <c>/alive</c>, open to the orchestrator, monitors and load balancers; they report status
    /// only, never data. <c>/health</c> is 200 when Healthy or Degraded (the service does its work; something waits —
    /// see the body) and 503 when Unhealthy (its database cannot be reached). <c>/alive</c> is the process only.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResponseWriter = HealthResponse.WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("live"),
        }).AllowAnonymous();
        return app;
    }
}
