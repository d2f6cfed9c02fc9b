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
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Publishes committed outbox rows with publisher confirms, then marks them sent. A crash between the two
/// publishes a row again (consumers' inboxes drop the repeat); a broker outage leaves rows unsent until it
/// returns. Rows are locked with SKIP LOCKED so several instances share the work.
/// </summary>
public sealed partial class OutboxRelay(
    NpgsqlDataSource dataSource,
    IBus bus,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private const string LockUnsent = """
        select id, message_type, payload::text as payload, traceparent
        from outbox_messages
        where sent_at is null
        order by created_at, id
        limit @BatchSize
        for update skip locked
        """;

    private const string MarkSent = "update outbox_messages set sent_at = now() where id = any(@Ids)";

    private const string RecordFailure = """
        update outbox_messages set attempts = attempts + 1, last_error = @Error where id = @Id
        """;

    private static readonly Counter<long> Published =
        ReliefTelemetry.Meter.CreateCounter<long>("relief.outbox.published", description: "Events published from the outbox");

    private sealed record OutboxRow(Guid Id, string MessageType, string Payload, string? Traceparent);

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

    /// <summary>Publishes one batch; returns how many rows it took.</summary>
    internal async Task<int> RelayBatchAsync(OutboxOptions settings, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(
            LockUnsent, new { settings.BatchSize }, transaction, cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            return 0;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.PublishTimeout);
        // Many publishes in flight: waiting for each confirm in turn caps throughput (MEASURED.md).
        var outcomes = await Task.WhenAll(rows.Select(row => PublishAsync(row, timeout.Token)));

        var sent = rows.Where((_, i) => outcomes[i] is null).Select(row => row.Id).ToArray();
        await connection.ExecuteAsync(new CommandDefinition(MarkSent, new { Ids = sent }, transaction, cancellationToken: CancellationToken.None));
        foreach (var (row, error) in rows.Zip(outcomes).Where(pair => pair.Second is not null))
        {
            await connection.ExecuteAsync(new CommandDefinition(RecordFailure, new { row.Id, Error = error }, transaction, cancellationToken: CancellationToken.None));
        }

        await transaction.CommitAsync(CancellationToken.None);
        Published.Add(sent.Length);

        if (sent.Length < rows.Count)
        {
            throw new OutboxPublishException(rows.Count - sent.Length);
        }

        return rows.Count;
    }

    /// <summary>Publishes one row under the trace it was written in; returns null, or why it failed.</summary>
    private async Task<string?> PublishAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        ActivityContext.TryParse(row.Traceparent, null, out var parent);
        using var activity = ReliefTelemetry.ActivitySource.StartActivity("outbox relay", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.message.id", row.Id);

        var type = Outbox.ResolveType(row.MessageType);
        if (type is null)
        {
            return $"Unknown message type {row.MessageType}";
        }

        try
        {
            var message = JsonSerializer.Deserialize(row.Payload, type, Outbox.PayloadJson)
                ?? throw new JsonException("The payload is null.");
            await bus.Publish(message, type, Pipe.Execute<PublishContext>(context => context.MessageId = row.Id), cancellationToken);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            // The type only: a message text could quote the payload.
            return e.GetType().FullName;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay failed ({ExceptionType}), attempt {Failures}; retrying in {DelaySeconds}s")]
    private static partial void LogRelayFailed(ILogger logger, string exceptionType, int failures, double delaySeconds);
}

public sealed class OutboxPublishException(int failed)
    : Exception($"{failed} outbox message(s) could not be published; they stay unsent and will be retried.");
