using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Relief.AppHost;

internal static partial class ServiceExtensions
{
    /// <summary>
    /// The authority names itself by the address services reach it at, so the issuer in its tokens is the one the
    /// services find in its discovery document, whichever address a client used to sign in.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AsIssuer(this IResourceBuilder<ProjectResource> identity) =>
        identity.WithEnvironment("Identity__Issuer", identity.GetEndpoint("http"));

    /// <summary>The service accepts access tokens of the identity authority (discovery document and keys over http).</summary>
    public static IResourceBuilder<ProjectResource> WithTokenValidation(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<ProjectResource> identity) =>
        service.WithEnvironment("Authentication__Authority", identity.GetEndpoint("http"))
            .WithEnvironment("Authentication__RequireHttpsMetadata", "false")
            .WithEnvironment("Authentication__Audience", "relief")
            .WaitFor(identity);

    /// <summary>
    /// Gives the service every setting under the AppHost's <c>ServiceSettings</c> section as its own configuration:
    /// <c>./run.sh --ServiceSettings:RequestProtection:PermitsPerMinute=6000</c> sets <c>RequestProtection:PermitsPerMinute</c>
    /// in every service — an ops knob without editing each service's appsettings.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceSettings(this IResourceBuilder<ProjectResource> service)
    {
        // Aspire has services export metrics every second while developing; at rest that export was most of an idle
        // service's CPU (README, Performance). Every five seconds keeps the dashboard's charts live enough.
        service.WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", "5000");
        // The exporter queues spans for the dashboard and drops them when its queue is full: with the SDK's 2,048 intake
        // dropped more than half its spans in a minute of full load. A queue holds a short surge's spans for later, and
        // later is the cost: they reach the dashboard after the surge, at its pace, on the same two cores. With 65,536 a
        // service the dashboard then spent most of a core for more than three minutes after 40 s of load; with 8,192,
        // about 20 s (README, Performance: "Telemetry after a surge"). bench/run.sh reports what was dropped.
        service.WithEnvironment("OTEL_BSP_MAX_QUEUE_SIZE", "8192");
        // A service started into a surge JITs everything at once. The runtime waits until no new method has been
        // compiled for 100 ms before it counts calls to promote hot ones, which under load is never, and with dynamic
        // PGO a hot method is compiled a third time. Counting at once and without PGO, the desk feed at 100 cases/s right
        // after a start went from p50 6.3/4.9 s to 4.6/1.2 s behind in two paired runs (README, Performance).
        service.WithEnvironment("DOTNET_TC_CallCountingDelayMs", "0");
        service.WithEnvironment("DOTNET_TieredPGO", "0");
        var section = service.ApplicationBuilder.Configuration.GetSection("ServiceSettings");
        foreach (var setting in section.AsEnumerable(makePathsRelative: true).Where(pair => pair.Value is not null))
        {
            service.WithEnvironment(setting.Key.Replace(":", "__", StringComparison.Ordinal), setting.Value);
        }

        return service;
    }

    /// <summary>
    /// The service listens on its own port (launchSettings.json) instead of behind the orchestrator's proxy: one TCP hop
    /// and a copy of every byte less per request, for the same address.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDirectEndpoint(this IResourceBuilder<ProjectResource> service) =>
        service.WithEndpoint("http", endpoint => endpoint.IsProxied = false);

    /// <summary>Prints the service's address at start-up, so a developer knows where to send requests.</summary>
    public static IResourceBuilder<ProjectResource> WithAddressPrinted(this IResourceBuilder<ProjectResource> service)
    {
        service.ApplicationBuilder.Eventing.Subscribe<ResourceEndpointsAllocatedEvent>(service.Resource, (e, _) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Relief");
            foreach (var endpoint in service.Resource.Annotations.OfType<EndpointAnnotation>())
            {
                LogServiceAddress(logger, service.Resource.Name, endpoint.AllocatedEndpoint?.UriString ?? "(not allocated)");
            }

            return Task.CompletedTask;
        });
        return service;
    }

    private static readonly HttpClient HealthClient = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>
    /// The dashboard shows the service's own verdict: Healthy, Degraded (it works, but something waits — the body of
    /// /health says what) or Unhealthy (503: its database cannot be reached, or it does not answer).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceHealth(this IResourceBuilder<ProjectResource> service)
    {
        var endpoint = service.GetEndpoint("http");
        var key = $"{service.Resource.Name}_health";
        service.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(key, async cancellationToken =>
        {
            using var response = await HealthClient.GetAsync(new Uri(new Uri(endpoint.Url), "/health"), cancellationToken);
            var report = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            var status = report.TryGetProperty("status", out var value) ? value.GetString() : null;
            var waiting = report.TryGetProperty("checks", out var checks)
                ? string.Join(" ", checks.EnumerateObject()
                    .Where(check => check.Value.GetProperty("status").GetString() != nameof(HealthStatus.Healthy))
                    .Select(check => $"{check.Name}: {check.Value.GetProperty("description").GetString()}"))
                : "";
            return status switch
            {
                nameof(HealthStatus.Healthy) => HealthCheckResult.Healthy(),
                nameof(HealthStatus.Degraded) => HealthCheckResult.Degraded(waiting),
                _ => HealthCheckResult.Unhealthy(waiting),
            };
        });
        return service.WithHealthCheck(key);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Service {Service} listens on {Address}")]
    private static partial void LogServiceAddress(ILogger logger, string service, string address);
}
