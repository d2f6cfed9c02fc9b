using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Relief.ServiceDefaults.Messaging;

public static class MessagingExtensions
{
    public const string ConnectionName = "messaging";

    /// <summary>
    /// MassTransit on RabbitMQ (connection string "messaging", an amqp:// URI), with the service's queues
    /// prefixed by its name, retries before the _error queue, and the outbox relay.
    /// </summary>
    public static TBuilder AddReliefMessaging<TBuilder>(this TBuilder builder, string serviceName,
        Action<IBusRegistrationConfigurator>? consumers = null) where TBuilder : IHostApplicationBuilder
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} (an amqp:// URI) is not configured.");

        builder.Services.AddOptions<OutboxOptions>().BindConfiguration("Outbox");
        builder.Services.AddOptions<MessagingOptions>().BindConfiguration("Messaging");
        builder.Services.AddHostedService<OutboxRelay>();

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(EndpointNames(serviceName));
            consumers?.Invoke(bus);

            // Transient faults (a deadlock, a restart of the database) are retried in place; a message that
            // still fails goes to the queue's _error queue, never acknowledged and dropped.
            bus.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                var intervals = context.GetRequiredService<IOptions<MessagingOptions>>().Value.RetryIntervalsInMilliseconds();
                endpoint.UseMessageRetry(retry => retry.Intervals(intervals));
            });

            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(connectionString), host => host.PublisherConfirmation = true);
                // The default prefetch of 16 let consumers fall behind publishers here (MEASURED.md).
                rabbit.PrefetchCount = 64;
                rabbit.ConfigureEndpoints(context);
            });
        });
        return builder;
    }

    /// <summary>Queues are named for the service and consumer: "registry-case-registered" (and its _error queue).</summary>
    public static IEndpointNameFormatter EndpointNames(string serviceName) =>
        new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false);
}

public sealed class MessagingOptions
{
    /// <summary>Delays between attempts of a failing message, in milliseconds, comma-separated.</summary>
    public string RetryIntervals { get; set; } = "100,500,1000,2000,5000";

    public int[] RetryIntervalsInMilliseconds() =>
        RetryIntervals.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(interval => int.Parse(interval, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}
