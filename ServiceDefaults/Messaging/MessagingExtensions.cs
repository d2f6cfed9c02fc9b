using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Relief.ServiceDefaults.Health;

namespace Relief.ServiceDefaults.Messaging;

public static class MessagingExtensions
{
    public const string ConnectionName = "messaging";

    /// <summary>
    /// MassTransit on RabbitMQ (connection string "messaging", an amqp:// URI), with the service's queues prefixed by
    /// its name, transient faults retried for minutes and permanent ones sent to the _error queue at once, the outbox
    /// relay, pruning of the outbox and inbox, and health and metrics for both ends of the broker.
    /// </summary>
    public static TBuilder AddReliefMessaging<TBuilder>(this TBuilder builder, string serviceName,
        Action<IBusRegistrationConfigurator>? consumers = null) where TBuilder : IHostApplicationBuilder
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} (an amqp:// URI) is not configured.");

        builder.Services.AddOptions<OutboxOptions>().BindConfiguration("Outbox");
        builder.Services.AddOptions<InboxOptions>().BindConfiguration("Inbox");
        builder.Services.AddOptions<MessagingOptions>().BindConfiguration("Messaging");
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddHostedService<MessageStorePruning>();

        // The service's receive queues, as MassTransit names them, for the _error queue monitor.
        var queues = new ReceiveQueues();
        builder.Services.AddSingleton(queues);
        builder.Services.AddSingleton(new BrokerAddress(new Uri(connectionString)));
        builder.AddReliefMessagingHealth();

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(EndpointNames(serviceName));
            consumers?.Invoke(bus);

            bus.AddConfigureEndpointsCallback((context, queueName, endpoint) =>
            {
                queues.Add(queueName);
                var settings = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
                // A database or broker that is away for a while (a restart, a failover) is waited out, with growing
                // pauses, for minutes; a fault that will fail the same way every time goes to the _error queue at once
                // instead of holding the message. Nothing is acknowledged and dropped.
                endpoint.UseMessageRetry(retry =>
                {
                    retry.Exponential(settings.TransientRetryLimit, settings.TransientRetryMinInterval,
                        settings.TransientRetryMaxInterval, settings.TransientRetryIntervalDelta);
                    retry.Handle<Exception>(TransientFaults.IsTransient);
                });
                if (settings.QuorumQueues && endpoint is IRabbitMqReceiveEndpointConfigurator rabbitEndpoint)
                {
                    rabbitEndpoint.SetQuorumQueue();
                }
            });

            // The broker being away is Degraded, not Unhealthy: the service still answers and stores, and its events
            // wait in the outbox. Only the database being away makes it Unhealthy (503).
            bus.ConfigureHealthCheckOptions(health => health.MinimalFailureStatus = HealthStatus.Degraded);

            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(connectionString), host => host.PublisherConfirmation = true);
                // The default prefetch of 16 let consumers fall behind publishers here; a prefetch well above the
                // number handled at once keeps the consumers fed, and 16 at once is what two cores can use (MEASURED.md)
                // — more only adds database connections waiting on each other.
                var settings = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
                rabbit.PrefetchCount = settings.PrefetchCount;
                rabbit.ConcurrentMessageLimit = settings.ConcurrentMessageLimit;
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
    /// <summary>How many times a message failing on a transient fault is tried again before it goes to _error.</summary>
    public int TransientRetryLimit { get; set; } = 20;

    /// <summary>The pauses between those attempts grow from this ...</summary>
    public TimeSpan TransientRetryMinInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>... to this; with the defaults a message waits out about eight minutes of outage.</summary>
    public TimeSpan TransientRetryMaxInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan TransientRetryIntervalDelta { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Messages the broker sends ahead of acknowledgements, per queue.</summary>
    public int PrefetchCount { get; set; } = 128;

    /// <summary>Messages handled at once, per queue.</summary>
    public int ConcurrentMessageLimit { get; set; } = 16;

    /// <summary>
    /// Declare the service's queues as quorum queues (replicated on a RabbitMQ cluster). Off by default: a single node
    /// gains nothing from them. Queues are durable either way; an existing classic queue must be deleted (drained) first.
    /// </summary>
    public bool QuorumQueues { get; set; }
}

public sealed class InboxOptions
{
    /// <summary>
    /// How long the ids of handled messages are kept. A redelivery or a replay from an _error queue older than this
    /// would be handled again, so it is far longer than any outage or retry.
    /// </summary>
    public TimeSpan KeepHandledFor { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>The names of the queues this service consumes from.</summary>
public sealed class ReceiveQueues
{
    private readonly HashSet<string> names = [];

    public void Add(string name)
    {
        lock (names)
        {
            names.Add(name);
        }
    }

    public IReadOnlyList<string> Names
    {
        get
        {
            lock (names)
            {
                return [.. names.Order(StringComparer.Ordinal)];
            }
        }
    }
}

/// <summary>The broker the service uses (the "messaging" connection string).</summary>
public sealed record BrokerAddress(Uri Uri);
