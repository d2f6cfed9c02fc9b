using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.ServiceDefaults.Messaging;

public sealed class OutboxOptions
{
    /// <summary>How often to look for unsent events when nothing signalled.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
    public int BatchSize { get; set; } = 100;
    /// <summary>How long one publish may wait for the broker's confirm before the batch is retried.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>The longest pause of the relay after the broker failed it.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>The longest pause before one row that could not be published (or routed) is tried again.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Attempts after which a row that cannot be published at all is set aside for ops.</summary>
    public int MaxAttempts { get; set; } = 10;
    /// <summary>
    /// How long the relay waits after being woken before it looks: commits arriving meanwhile go in the same batch, one
    /// round trip to the database instead of one each. Adds that much to each hop's latency.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How long sent rows are kept (for ops looking back) before they are pruned.</summary>
    public TimeSpan KeepSentFor { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>
/// Publishes committed outbox rows with publisher confirms, as mandatory messages, then marks them sent. A crash
/// between the two publishes a row again (consumers' inboxes drop the repeat); a broker outage leaves rows unsent until
/// it returns; a message the broker cannot route to any queue (a consumer's queue not declared yet) is not sent, and is
/// tried again until it can be routed. A row that cannot be published at all (an unknown type, a payload that no longer
/// reads) waits longer after each attempt, so the rows behind it keep flowing, and is set aside after
/// <see cref="OutboxOptions.MaxAttempts"/>. Rows are locked with SKIP LOCKED so several instances share the work.
/// </summary>
public sealed partial class OutboxRelay(
    NpgsqlDataSource dataSource,
    IBus bus,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private const string LockDue = """
        select id, message_type, payload::text as payload, traceparent, attempts
        from outbox_messages
        where sent_at is null and set_aside_at is null and (next_attempt_at is null or next_attempt_at <= now())
        order by created_at, id
        limit @BatchSize
        for update skip locked
        """;

    private const string MarkSent = "update outbox_messages set sent_at = now() where id = any(@Ids)";

    private const string RecordFailure = """
        update outbox_messages
        set attempts = attempts + 1, last_error = @Error,
            next_attempt_at = now() + @RetryIn,
            set_aside_at = case when @SetAside then now() end
        where id = @Id
        """;

    private static readonly Counter<long> Published =
        ReliefTelemetry.Meter.CreateCounter<long>("relief.outbox.published", description: "Events published from the outbox");

    private static readonly Counter<long> SetAside =
        ReliefTelemetry.Meter.CreateCounter<long>("relief.outbox.set_aside", description: "Outbox rows set aside after failing every attempt");

    private sealed record OutboxRow(Guid Id, string MessageType, string Payload, string? Traceparent, int Attempts);

    /// <summary>What became of one publish.</summary>
    private enum Outcome
    {
        Sent,
        /// <summary>The broker or the connection failed: the whole relay backs off, the row is not held against.</summary>
        Transient,
        /// <summary>The broker took it but no queue is bound to its exchange: tried again until one is.</summary>
        Unroutable,
        /// <summary>It cannot be published at all: counted towards being set aside.</summary>
        Unpublishable,
    }

    /// <param name="Error">What the row records (and ops read).</param>
    /// <param name="Status">What the failed span says.</param>
    private readonly record struct Result(Outcome Outcome, string? Error = null, string? Status = null);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RelayBatchAsync(settings, stoppingToken) == settings.BatchSize)
                {
                    // A full batch means more may be waiting.
                }

                failures = 0;
                await signal.WaitAsync(settings.PollInterval, stoppingToken);
                if (settings.Linger > TimeSpan.Zero)
                {
                    await Task.Delay(settings.Linger, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(settings.MaxBackoff.TotalMilliseconds, 200 * Math.Pow(2, failures)));
                LogRelayFailed(logger, e.GetType().Name, failures, delay.TotalSeconds);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Publishes one batch of due rows; returns how many rows it took.</summary>
    internal async Task<int> RelayBatchAsync(OutboxOptions settings, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(
            LockDue, new { settings.BatchSize }, transaction, cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            return 0;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.PublishTimeout);
        // Many publishes in flight: waiting for each confirm in turn caps throughput (MEASURED.md).
        var results = await Task.WhenAll(rows.Select(row => PublishAsync(row, timeout.Token)));

        var sent = rows.Where((_, i) => results[i].Outcome == Outcome.Sent).Select(row => row.Id).ToArray();
        await connection.ExecuteAsync(new CommandDefinition(MarkSent, new { Ids = sent }, transaction, cancellationToken: CancellationToken.None));
        foreach (var (row, result) in rows.Zip(results).Where(pair => pair.Second.Outcome is Outcome.Unroutable or Outcome.Unpublishable))
        {
            var attempt = row.Attempts + 1;
            // Only a row that cannot be published at all is set aside: an unroutable one waits for its consumer.
            var setAside = result.Outcome == Outcome.Unpublishable && attempt >= settings.MaxAttempts;
            await connection.ExecuteAsync(new CommandDefinition(RecordFailure, new
            {
                row.Id,
                result.Error,
                RetryIn = RetryDelay(attempt, settings.MaxRetryDelay),
                SetAside = setAside,
            }, transaction, cancellationToken: CancellationToken.None));
            if (setAside)
            {
                SetAside.Add(1);
                LogSetAside(logger, row.Id, row.MessageType, attempt, result.Error);
            }
            else
            {
                LogRowFailed(logger, row.Id, row.MessageType, attempt, result.Error);
            }
        }

        await transaction.CommitAsync(CancellationToken.None);
        Published.Add(sent.Length);

        var transient = results.Count(result => result.Outcome == Outcome.Transient);
        if (transient > 0)
        {
            throw new OutboxPublishException(transient);
        }

        return rows.Count;
    }

    /// <summary>1 s after the first failure, doubling, up to <paramref name="max"/>.</summary>
    internal static TimeSpan RetryDelay(int attempt, TimeSpan max) =>
        TimeSpan.FromMilliseconds(Math.Min(max.TotalMilliseconds, 1000 * Math.Pow(2, Math.Min(attempt - 1, 20))));

    /// <summary>
    /// Publishes one row. MassTransit's send span is a child of the span that wrote the row (the request or the consumer,
    /// from its stored traceparent), so a case's trace runs on from the POST to every consumer with no span of the relay's
    /// own in between on success: one span fewer per event for the dashboard to take in (README, Performance). A publish
    /// that fails leaves an "outbox relay" span with the reason in that trace, timed from when it began.
    /// </summary>
    private async Task<Result> PublishAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        var began = DateTimeOffset.UtcNow;
        // MassTransit takes a send's parent from MT-Activity-Id only when no activity is current.
        Activity.Current = null;
        var result = await TryPublishAsync(row, cancellationToken);
        if (result.Outcome != Outcome.Sent)
        {
            ActivityContext.TryParse(row.Traceparent, null, out var parent);
            using var failed = ReliefTelemetry.ActivitySource.StartActivity(
                "outbox relay", ActivityKind.Producer, parent, startTime: began);
            failed?.SetTag("messaging.message.id", row.Id);
            failed?.SetStatus(ActivityStatusCode.Error, result.Status);
        }

        return result;
    }

    private async Task<Result> TryPublishAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        var type = Outbox.ResolveType(row.MessageType);
        if (type is null)
        {
            return new(Outcome.Unpublishable, "Unknown message type", "unknown message type");
        }

        object message;
        try
        {
            message = JsonSerializer.Deserialize(row.Payload, type, Outbox.PayloadJson) ?? throw new JsonException("The payload is null.");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            // The type only: a message text could quote the payload.
            return new(Outcome.Unpublishable, e.GetType().FullName, e.GetType().Name);
        }

        try
        {
            await bus.Publish(message, type, Pipe.Execute<PublishContext>(context =>
            {
                context.MessageId = row.Id;
                // The broker returns a message no queue is bound for, instead of confirming and dropping it.
                context.Mandatory = true;
                if (row.Traceparent is not null)
                {
                    context.Headers.Set(MassTransit.Logging.DiagnosticHeaders.ActivityId, row.Traceparent);
                }
            }), cancellationToken);
            return new(Outcome.Sent);
        }
        catch (MessageReturnedException)
        {
            return new(Outcome.Unroutable, "Unroutable: no queue is bound for this message type yet", "unroutable");
        }
        catch (Exception e) when (e is OperationCanceledException || TransientFaults.IsTransient(e))
        {
            return new(Outcome.Transient, e.GetType().FullName, e.GetType().Name);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new(Outcome.Unpublishable, e.GetType().FullName, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay failed ({ExceptionType}), attempt {Failures}; retrying in {DelaySeconds}s")]
    private static partial void LogRelayFailed(ILogger logger, string exceptionType, int failures, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox row {Id} ({MessageType}) not published, attempt {Attempt}: {Error}; tried again later")]
    private static partial void LogRowFailed(ILogger logger, Guid id, string messageType, int attempt, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox row {Id} ({MessageType}) set aside after {Attempt} attempts: {Error}; re-queue it once fixed")]
    private static partial void LogSetAside(ILogger logger, Guid id, string messageType, int attempt, string? error);
}

public sealed class OutboxPublishException(int failed)
    : Exception($"{failed} outbox message(s) could not be published; they stay unsent and will be retried.");
