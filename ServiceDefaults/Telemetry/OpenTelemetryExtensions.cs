using MassTransit.Logging;
using MassTransit.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Relief.ServiceDefaults.Telemetry;

public static class OpenTelemetryExtensions
{
    /// <summary>
    /// Traces, metrics and logs over OTLP when the AppHost gives an endpoint. The MassTransit and outbox sources
    /// are what make one intake one trace: HTTP request → outbox → publish → every consumer in every service.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            // No scopes: the ones our libraries open repeat what each record already carries (its trace and span ids)
            // or the request's span (path, connection), and each became attributes of every record, formatted in the
            // service and stored by the dashboard, at every log line. Relief opens no scopes of its own.
            logging.IncludeScopes = false;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(InstrumentationOptions.MeterName)
                .AddMeter(ReliefTelemetry.SourceName))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(DiagnosticHeaders.DefaultListenerName)
                .AddSource(ReliefTelemetry.SourceName)
                .AddAspNetCoreInstrumentation(aspnet =>
                    // Health probes every few seconds would drown the traces ops actually look for.
                    aspnet.Filter = context =>
                        !context.Request.Path.StartsWithSegments(Extensions.HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(Extensions.AlivenessEndpointPath))
                .AddHttpClientInstrumentation()
                // Before the exporter's processor: it sees the span without them.
                .AddProcessor<RedundantSpanTags>());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
            // Structured logs go to the dashboard over OTLP; the console (a pipe the orchestrator reads line by line)
            // keeps warnings and errors. At one line per request the console writer could not keep up, its queue
            // filled, and request threads waited on its lock — the largest single cost under load.
            if (!builder.Configuration.GetSection("Logging:Console:LogLevel").Exists())
            {
                builder.Logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning);
            }
        }

        // A console that cannot keep up drops lines rather than stopping the request that logs them.
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite);
        return builder;
    }
}
