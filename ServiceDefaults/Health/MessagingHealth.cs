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

    /// <summary>
    /// A receive queue the broker shows without a consumer this long, while it answers, has lost its consumer: the
    /// bus is restarted (<see cref="ConsumerWatchdog"/>). Long enough for MassTransit's own reconnection after a broker
    /// restart, and for the start of the service.
    /// </summary>
    public TimeSpan ConsumerlessGrace { get; set; } = TimeSpan.FromSeconds(60);
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
/// Reads the outbox's backlog and set-aside rows from the database, and the depth of the service's _error queues and
/// the consumers of its receive queues from the broker (passive declares: nothing is created or consumed), every
/// <see cref="MessagingHealthOptions.RefreshInterval"/>; restarts the bus when a receive queue has lost its consumer.
/// </summary>
public sealed partial class MessagingHealthMonitor(
    NpgsqlDataSource dataSource, ReceiveQueues queues, BrokerAddress broker, MessagingHealthSnapshot snapshot,
    ConsumerWatchdog watchdog, IBusControl bus, IOptions<MessagingHealthOptions> options, ILogger<MessagingHealthMonitor> logger)
    : BackgroundService
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
                await WatchConsumersAsync(refresh.Token, stoppingToken);
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
            var brokerConnection = await BrokerConnectionAsync(cancellationToken);
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

                var depth = (await DeclarePassiveAsync(brokerConnection, queue, cancellationToken))?.MessageCount;
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

    private async Task<IConnection> BrokerConnectionAsync(CancellationToken cancellationToken)
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

        return connection;
    }

    /// <summary>
    /// Asks the broker how many consumers each receive queue has; a queue without one for longer than the grace, while
    /// the broker answers, means the bus lost it: the bus is stopped and started again, which declares and consumes
    /// every queue afresh. Unsent events wait in the outbox meanwhile; unacknowledged messages go back to their queue.
    /// </summary>
    private async Task WatchConsumersAsync(CancellationToken cancellationToken, CancellationToken stoppingToken)
    {
        IReadOnlyList<string> lost;
        try
        {
            var brokerConnection = await BrokerConnectionAsync(cancellationToken);
            var consumers = new Dictionary<string, uint?>(StringComparer.Ordinal);
            foreach (var queue in queues.Names)
            {
                consumers[queue] = (await DeclarePassiveAsync(brokerConnection, queue, cancellationToken))?.ConsumerCount;
            }

            lost = watchdog.Observe(consumers, options.Value.ConsumerlessGrace);
        }
        catch (Exception) when (!stoppingToken.IsCancellationRequested)
        {
            // The _error queues' read has already said the broker cannot be reached.
            watchdog.Unknown();
            return;
        }

        if (lost.Count > 0)
        {
            await RestartBusAsync(lost, stoppingToken);
        }
    }

    private async Task RestartBusAsync(IReadOnlyList<string> lost, CancellationToken stoppingToken)
    {
        LogRestartingBus(logger, string.Join(", ", lost), options.Value.ConsumerlessGrace.TotalSeconds);
        watchdog.Restarted();
        try
        {
            // Bounded both ways: a stop waits for the messages in hand, a start for the broker; either failing, the
            // queues are still without consumer at a later refresh and the bus is restarted again after the grace.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            stop.CancelAfter(TimeSpan.FromSeconds(30));
            await bus.StopAsync(stop.Token);
            using var start = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            start.CancelAfter(TimeSpan.FromSeconds(60));
            await bus.StartAsync(start.Token);
            LogBusRestarted(logger);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            LogBusRestartFailed(logger, e.GetType().Name);
        }
    }

    /// <summary>
    /// A passive declare answers the queue's depth and consumers without creating or consuming anything; null: no such
    /// queue (which closes the channel that asked: each question gets its own).
    /// </summary>
    private static async Task<QueueDeclareOk?> DeclarePassiveAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker shows no consumer on {Queues} for more than {GraceSeconds} s while it answers: the bus lost them; restarting the bus")]
    private static partial void LogRestartingBus(ILogger logger, string queues, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bus restarted: its queues are consumed again")]
    private static partial void LogBusRestarted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restarting the bus failed ({ExceptionType}); tried again if its queues are still without consumer after the grace")]
    private static partial void LogBusRestartFailed(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read the {What} for health ({ExceptionType}); trying again at each refresh")]
    private static partial void LogCannotRead(ILogger logger, string what, string exceptionType);
}

/// <summary>
/// Degraded while events wait too long, rows are set aside, messages sit in _error queues, or a receive queue has been
/// without a consumer at two readings in a row.
/// </summary>
public sealed class MessagingHealthCheck(MessagingHealthSnapshot snapshot, ConsumerWatchdog watchdog, TimeProvider clock,
    IOptions<MessagingHealthOptions> options) : IHealthCheck
{
    public const string OutboxName = "outbox";
    public const string ErrorQueuesName = "error-queues";
    public const string ConsumersName = "consumers";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
        Task.FromResult(context.Registration.Name switch
        {
            OutboxName => CheckOutbox(),
            ConsumersName => CheckConsumers(),
            _ => CheckErrorQueues(),
        });

    /// <summary>
    /// A queue without consumer at two readings in a row (one alone is a service still starting, or a broker just back
    /// that MassTransit is reconnecting to): nothing takes its messages; after the grace the bus is restarted.
    /// </summary>
    private HealthCheckResult CheckConsumers()
    {
        var now = clock.GetUtcNow();
        var lost = watchdog.WithoutConsumer.Where(queue => queue.Value.Readings >= 2)
            .Select(queue => $"{queue.Key} (for {(now - queue.Value.Since).TotalSeconds:F0} s)").ToList();
        var restarted = watchdog.LastRestart is { } at ? $" The bus was last restarted for a lost consumer at {at:u}." : "";
        return lost.Count == 0
            ? HealthCheckResult.Healthy("Every receive queue has a consumer, or the broker is not reachable." + restarted)
            : HealthCheckResult.Degraded($"No consumer on {string.Join(", ", lost)}: the bus is restarted after "
                + $"{options.Value.ConsumerlessGrace.TotalSeconds:F0} s without one.{restarted}");
    }

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
        builder.Services.AddSingleton<ConsumerWatchdog>();
        builder.Services.AddHostedService<MessagingHealthMonitor>();
        builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(MessagingHealthCheck.OutboxName,
                services => services.GetRequiredService<MessagingHealthCheck>(), HealthStatus.Degraded, ["ready"]))
            .Add(new HealthCheckRegistration(MessagingHealthCheck.ErrorQueuesName,
                services => services.GetRequiredService<MessagingHealthCheck>(), HealthStatus.Degraded, ["ready"]))
            .Add(new HealthCheckRegistration(MessagingHealthCheck.ConsumersName,
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
