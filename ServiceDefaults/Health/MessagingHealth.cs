using System.Diagnostics.Metrics;
using Dapper;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.ServiceDefaults.Health;

public sealed class MessagingHealthOptions
{
    /// <summary>How often the outbox and the _error queues are looked at.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>An unsent event older than this makes the service Degraded: something keeps it from the broker.</summary>
    public TimeSpan OutboxBacklogAge { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>What the monitor last saw; health checks and metrics read it, so a probe never waits on a query.</summary>
public sealed class MessagingHealthSnapshot
{
    public sealed record Outbox(long Unsent, long SetAside, TimeSpan? OldestUnsentAge);

    public Outbox? OutboxState { get; set; }
    public DateTimeOffset? OutboxReadAt { get; set; }

    /// <summary>Messages waiting in each of the service's _error queues; null until the broker has been reached.</summary>
    public IReadOnlyDictionary<string, long>? ErrorQueues { get; set; }

    /// <summary>When this instance last gave a message up to an _error queue: for a minute after, every queue is looked at.</summary>
    public DateTimeOffset? LastFault { get; set; }
}

/// <summary>
/// Reads the outbox's backlog and set-aside rows from the database and the depth of the service's _error queues from
/// the broker (a passive declare: nothing is created or consumed), every <see cref="MessagingHealthOptions.RefreshInterval"/>.
/// </summary>
public sealed partial class MessagingHealthMonitor(
    NpgsqlDataSource dataSource, ReceiveQueues queues, BrokerAddress broker, MessagingHealthSnapshot snapshot,
    IOptions<MessagingHealthOptions> options, ILogger<MessagingHealthMonitor> logger) : BackgroundService
{
    private const string ReadOutbox = """
        select (select count(*) from outbox_messages where sent_at is null and set_aside_at is null) as unsent,
               (select count(*) from outbox_messages where set_aside_at is not null and sent_at is null) as set_aside,
               extract(epoch from now() - (select min(created_at) from outbox_messages
                                           where sent_at is null and set_aside_at is null))::float8 as oldest_seconds
        """;

    private sealed record OutboxRow(long Unsent, long SetAside, double? OldestSeconds);

    /// <summary>How long an _error queue found missing is not asked for again (each ask logs a channel error at the broker).</summary>
    private static readonly TimeSpan MissingQueueRecheck = TimeSpan.FromMinutes(5);

    private IConnection? connection;
    private readonly HashSet<string> failing = [];
    private readonly Dictionary<string, DateTimeOffset> missingSince = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        try
        {
            do
            {
                // A frozen broker or database must not hold the monitor (or, by an exception, stop the service).
                using var refresh = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                refresh.CancelAfter(TimeSpan.FromSeconds(10));
                await RefreshOutboxAsync(refresh.Token, stoppingToken);
                await RefreshErrorQueuesAsync(refresh.Token, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    private async Task RefreshOutboxAsync(CancellationToken cancellationToken, CancellationToken stoppingToken)
    {
        try
        {
            await using var db = await dataSource.OpenConnectionAsync(cancellationToken);
            var row = await db.QuerySingleAsync<OutboxRow>(new CommandDefinition(ReadOutbox, cancellationToken: cancellationToken));
            snapshot.OutboxState = new(row.Unsent, row.SetAside, row.OldestSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
            snapshot.OutboxReadAt = DateTimeOffset.UtcNow;
            ReadAgain("outbox");
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The database check says why; the outbox keeps its last known state until it can be read again.
            LogReadFailed(logger, "outbox", e);
        }
    }

    private async Task RefreshErrorQueuesAsync(CancellationToken cancellationToken, CancellationToken stoppingToken)
    {
        try
        {
            if (connection is not { IsOpen: true })
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                    connection = null;
                }

                connection = await new ConnectionFactory
                {
                    Uri = broker.Uri,
                    AutomaticRecoveryEnabled = false,
                    RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
                    ClientProvidedName = "relief-health",
                }.CreateConnectionAsync(cancellationToken);
            }

            var depths = new Dictionary<string, long>(StringComparer.Ordinal);
            var now = DateTimeOffset.UtcNow;
            foreach (var queue in queues.Names.Select(name => name + "_error"))
            {
                // MassTransit declares an _error queue when it first moves a message there; until then it is 0, and
                // asking again at every refresh would fill the broker's log. A fault seen here asks at once.
                var faultedLately = now - snapshot.LastFault < TimeSpan.FromMinutes(1);
                if (missingSince.TryGetValue(queue, out var since) && now - since < MissingQueueRecheck && !faultedLately)
                {
                    depths[queue] = 0;
                    continue;
                }

                var depth = await ErrorQueueDepthAsync(connection, queue, cancellationToken);
                if (depth is null)
                {
                    missingSince[queue] = now;
                }
                else
                {
                    missingSince.Remove(queue);
                }

                depths[queue] = depth ?? 0;
            }

            snapshot.ErrorQueues = depths;
            ReadAgain("_error queues");
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            LogReadFailed(logger, "_error queues", e);
        }
    }

    /// <summary>A passive declare answers the queue's depth without creating or consuming anything; null: no such queue.</summary>
    private static async Task<long?> ErrorQueueDepthAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>Once per outage, not at every refresh: the database and bus checks already say what is down.</summary>
    private void LogReadFailed(ILogger log, string what, Exception e)
    {
        if (failing.Add(what))
        {
            // The type only: a message could carry a connection string.
            LogCannotRead(log, what, e.GetType().Name);
        }
    }

    private void ReadAgain(string what) => failing.Remove(what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read the {What} for health ({ExceptionType}); trying again at each refresh")]
    private static partial void LogCannotRead(ILogger logger, string what, string exceptionType);
}

/// <summary>Degraded while events wait too long, rows are set aside, or messages sit in _error queues.</summary>
public sealed class MessagingHealthCheck(MessagingHealthSnapshot snapshot, IOptions<MessagingHealthOptions> options) : IHealthCheck
{
    public const string OutboxName = "outbox";
    public const string ErrorQueuesName = "error-queues";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
        Task.FromResult(context.Registration.Name == OutboxName ? CheckOutbox() : CheckErrorQueues());

    private HealthCheckResult CheckOutbox()
    {
        if (snapshot.OutboxState is not { } outbox)
        {
            return HealthCheckResult.Healthy("Not read yet.");
        }

        var problems = new List<string>();
        if (outbox.SetAside > 0)
        {
            problems.Add($"{outbox.SetAside} event(s) set aside: they could not be published; fix and re-queue them (README, Operations).");
        }

        if (outbox.OldestUnsentAge > options.Value.OutboxBacklogAge)
        {
            problems.Add($"{outbox.Unsent} event(s) waiting, the oldest for {outbox.OldestUnsentAge.Value.TotalSeconds:F0} s: the broker is unreachable or the relay is behind.");
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy($"{outbox.Unsent} event(s) waiting.")
            : HealthCheckResult.Degraded(string.Join(" ", problems));
    }

    private HealthCheckResult CheckErrorQueues()
    {
        if (snapshot.ErrorQueues is not { } queues)
        {
            return HealthCheckResult.Healthy("Not read yet.");
        }

        var waiting = queues.Where(queue => queue.Value > 0).Select(queue => $"{queue.Value} in {queue.Key}").ToList();
        return waiting.Count == 0
            ? HealthCheckResult.Healthy("No failed messages.")
            : HealthCheckResult.Degraded($"Failed messages wait for ops: {string.Join(", ", waiting)}.");
    }
}

public static class MessagingHealthExtensions
{
    public static TBuilder AddReliefMessagingHealth<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<MessagingHealthOptions>().BindConfiguration("Health");
        builder.Services.AddSingleton<MessagingHealthSnapshot>();
        builder.Services.AddSingleton<MessagingHealthCheck>();
        builder.Services.AddHostedService<MessagingHealthMonitor>();
        builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(MessagingHealthCheck.OutboxName,
                services => services.GetRequiredService<MessagingHealthCheck>(), HealthStatus.Degraded, ["ready"]))
            .Add(new HealthCheckRegistration(MessagingHealthCheck.ErrorQueuesName,
                services => services.GetRequiredService<MessagingHealthCheck>(), HealthStatus.Degraded, ["ready"]));
        builder.Services.AddHostedService<MessagingMetrics>();
        builder.Services.AddConsumeObserver<FaultObserver>();
        return builder;
    }

    /// <summary>A message that failed past its retries is on its way to _error: the monitor looks at once.</summary>
    private sealed class FaultObserver(MessagingHealthSnapshot snapshot) : IConsumeObserver
    {
        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
        {
            snapshot.LastFault = DateTimeOffset.UtcNow;
            return Task.CompletedTask;
        }
    }

    /// <summary>The snapshot as gauges on the "Relief" meter, for the dashboard's metrics and alerting.</summary>
    private sealed class MessagingMetrics(IMeterFactory meters, MessagingHealthSnapshot snapshot) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var meter = meters.Create(ReliefTelemetry.SourceName);
            meter.CreateObservableGauge("relief.outbox.unsent",
                () => snapshot.OutboxState?.Unsent ?? 0, description: "Events waiting in the outbox");
            meter.CreateObservableGauge("relief.outbox.set_aside_rows",
                () => snapshot.OutboxState?.SetAside ?? 0, description: "Outbox rows set aside for ops");
            meter.CreateObservableGauge("relief.outbox.oldest_unsent_age",
                () => snapshot.OutboxState?.OldestUnsentAge?.TotalSeconds ?? 0, unit: "s", description: "Age of the oldest unsent event");
            meter.CreateObservableGauge("relief.messaging.error_queue.messages", () =>
                (snapshot.ErrorQueues ?? new Dictionary<string, long>())
                    .Select(queue => new Measurement<long>(queue.Value, new KeyValuePair<string, object?>("queue", queue.Key))),
                description: "Messages waiting in the service's _error queues");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
