using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly.RateLimiting;
using Polly.Timeout;
using Relief.Notification.DutyDesk;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.PersonalData;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Notification.Delivery;

/// <summary>
/// Sends the planned deliveries. Each pass claims the due ones in a short transaction (<c>for update skip locked</c>,
/// marking them this instance's until <c>claimed_until</c>) and sends them concurrently without waiting for one another:
/// a slow target holds its own requests, not the next pass. Every attempt is recorded with its outcome; a failed one is
/// retried after an exponential back-off with jitter, and after the configured attempts the delivery is marked failed and
/// raised to ops (an error log with ids only, the <c>relief.notification.deliveries.failed</c> counter, the delivery log).
/// An instance that dies holding claims loses nothing: once <c>claimed_until</c> has passed another takes them again
/// (at least once: a receiver de-duplicates by the delivery id it is sent). It wakes when a desk item is committed — told
/// by the process's one LISTEN connection (<see cref="DeskFeedListener"/>), which the live feeds share — and polls
/// besides; time is the injected clock's.
/// </summary>
public sealed partial class DeliveryDispatcher(
    NpgsqlDataSource db, UnitOfWorkFactory units, DeliveryChannels channels, IHttpClientFactory http, PersonalDataProtector protector,
    DeskFeedSignal posted, IOptionsMonitor<NotificationOptions> options, TimeProvider clock, ILogger<DeliveryDispatcher> logger)
    : BackgroundService
{
    private static readonly Counter<long> Delivered =
        ReliefTelemetry.Meter.CreateCounter<long>("relief.notification.deliveries.delivered", description: "Deliveries the target took");
    private static readonly Counter<long> Failed =
        ReliefTelemetry.Meter.CreateCounter<long>("relief.notification.deliveries.failed", description: "Deliveries failed after every attempt");
    private static readonly Counter<long> AttemptsFailed =
        ReliefTelemetry.Meter.CreateCounter<long>("relief.notification.delivery_attempts.failed", description: "Attempts that failed (retried or not)");

    private const string Claim = """
        with due as (
            select id from deliveries
            where status = 'pending' and next_attempt_at <= @Now and (claimed_until is null or claimed_until <= @Now)
            order by next_attempt_at, sequence
            limit @Limit
            for update skip locked)
        update deliveries d set claimed_until = @ClaimedUntil
        from due, subscriptions s
        where d.id = due.id and s.id = d.subscription_id
        returning d.id, d.notification_id, d.subscription_id, d.kind, d.case_id, d.case_number, d.channel, d.format,
                  d.title, d.message, d.link, d.attempts, d.created_at,
                  s.target_key_id, s.target_sealed, s.secret_key_id, s.secret_sealed
        """;

    private const string RecordAttempt = """
        insert into delivery_attempts (delivery_id, attempt, started_at, status, http_status, latency_ms, error)
        values (@Id, @Attempt, @StartedAt, @Status, @HttpStatus, @LatencyMs, @Error)
        on conflict do nothing
        """;

    private const string RecordDelivered = """
        update deliveries set status = 'delivered', attempts = @Attempt, delivered_at = @Now, claimed_until = null, last_error = null
        where id = @Id and status = 'pending'
        """;

    private const string RecordRetry = """
        update deliveries set attempts = @Attempt, next_attempt_at = @NextAttemptAt, claimed_until = null, last_error = @Error
        where id = @Id and status = 'pending'
        """;

    private const string RecordFailed = """
        update deliveries set status = 'failed', attempts = @Attempt, failed_at = @Now, claimed_until = null, last_error = @Error
        where id = @Id and status = 'pending'
        """;

    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private int inFlight;

    /// <summary>Looks for due deliveries now rather than at the next poll.</summary>
    public void Wake() => wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var following = FollowPostsAsync(stoppingToken);
        var sends = new HashSet<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var settings = options.CurrentValue.Delivery;
            var claimed = 0;
            try
            {
                var free = settings.MaxInFlight - Volatile.Read(ref inFlight);
                if (free > 0)
                {
                    var due = await ClaimAsync(free, settings, stoppingToken);
                    claimed = due.Count;
                    foreach (var delivery in due)
                    {
                        Interlocked.Increment(ref inFlight);
                        var send = SendAsync(delivery, stoppingToken);
                        sends.Add(send);
                        _ = send.ContinueWith(_ =>
                        {
                            Interlocked.Decrement(ref inFlight);
                            Wake(); // a slot is free: a backlog is taken up at once
                        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    }
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Type only: the message may quote data. What was due stays due for the next pass.
                LogPassFailed(logger, e.GetType().Name);
            }

            sends.RemoveWhere(send => send.IsCompleted);
            if (claimed > 0 && claimed == settings.MaxInFlight)
            {
                continue; // a backlog: claim the next ones as soon as slots free up (the wake below)
            }

            await WaitForWakeAsync(settings.PollInterval, stoppingToken);
        }

        // Stopping: sends in flight are cancelled and recorded nowhere; their claims lapse and another pass sends them.
        await Task.WhenAll(sends.Append(following)).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private async Task WaitForWakeAsync(TimeSpan poll, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(poll, clock, timeout.Token);
        var woken = wake.Reader.WaitToReadAsync(timeout.Token).AsTask();
        await Task.WhenAny(delay, woken);
        await timeout.CancelAsync();
        wake.Reader.TryRead(out _);
    }

    /// <summary>Claims up to <paramref name="limit"/> due deliveries for this instance; a short transaction of its own.</summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(int limit, DeliveryOptions settings, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ClaimedDelivery>(new CommandDefinition(Claim,
            new { Now = now, ClaimedUntil = now + settings.ClaimFor, Limit = limit }, cancellationToken: cancellationToken))).AsList();
    }

    private async Task SendAsync(ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        await Task.Yield(); // the pass goes on claiming while this one sends
        var attempt = delivery.Attempts + 1;
        var startedAt = clock.GetUtcNow();
        var started = clock.GetTimestamp();
        AttemptOutcome outcome;
        try
        {
            var target = protector.Open(new SealedValue(delivery.TargetKeyId, delivery.TargetSealed), delivery.SubscriptionId);
            var secret = delivery.SecretSealed is null
                ? null
                : protector.Open(new SealedValue(delivery.SecretKeyId!, delivery.SecretSealed), delivery.SubscriptionId);
            using var request = channels.Build(delivery, target, secret);
            using var client = http.CreateClient(DeliveryChannels.ClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stoppingToken);
            outcome = await DeliveryChannels.ReadAsync(delivery, response, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            outcome = new AttemptOutcome(false, null, Describe(e, options.CurrentValue.Delivery));
        }

        var latency = clock.GetElapsedTime(started);
        try
        {
            await RecordAsync(delivery, attempt, startedAt, latency, outcome);
        }
        catch (Exception e)
        {
            // The claim lapses and the delivery is sent again: at least once, never lost.
            LogRecordFailed(logger, delivery.Id, e.GetType().Name);
        }
    }

    /// <summary>Why an attempt failed, in words that hold no URL, key or phone number (exception messages may).</summary>
    private static string Describe(Exception e, DeliveryOptions settings) => e switch
    {
        TimeoutRejectedException => $"timeout after {settings.AttemptTimeout.TotalSeconds:0.#} s",
        RateLimiterRejectedException => "too many requests waiting for this target",
        HttpRequestException { HttpRequestError: var error } => $"request failed: {error}",
        System.Security.Cryptography.CryptographicException => "the subscription's target could not be opened (key not configured)",
        _ => e.GetType().Name,
    };

    private async Task RecordAsync(ClaimedDelivery delivery, int attempt, DateTimeOffset startedAt, TimeSpan latency, AttemptOutcome outcome)
    {
        var settings = options.CurrentValue.Delivery;
        var now = clock.GetUtcNow();
        var unit = units.Begin();
        unit.Write(RecordAttempt, new
        {
            delivery.Id, Attempt = attempt, StartedAt = startedAt, Status = outcome.Delivered ? "delivered" : "failed",
            outcome.HttpStatus, LatencyMs = (int)Math.Min(int.MaxValue, latency.TotalMilliseconds), outcome.Error,
        });
        var tags = new TagList { { "channel", delivery.Channel }, { "format", delivery.Format ?? delivery.Channel } };
        if (outcome.Delivered)
        {
            unit.Write(RecordDelivered, new { delivery.Id, Attempt = attempt, Now = now });
            await unit.CommitAsync(CancellationToken.None);
            Delivered.Add(1, tags);
            return;
        }

        AttemptsFailed.Add(1, tags);
        if (attempt >= settings.MaxAttempts)
        {
            unit.Write(RecordFailed, new { delivery.Id, Attempt = attempt, Now = now, outcome.Error });
            await unit.CommitAsync(CancellationToken.None);
            Failed.Add(1, tags);
            LogDeliveryFailed(logger, delivery.Id, delivery.NotificationId, delivery.SubscriptionId, attempt, outcome.Error);
            return;
        }

        unit.Write(RecordRetry, new { delivery.Id, Attempt = attempt, NextAttemptAt = now + settings.BackoffAfter(attempt), outcome.Error });
        await unit.CommitAsync(CancellationToken.None);
        LogAttemptFailed(logger, delivery.Id, attempt, outcome.Error);
    }

    /// <summary>
    /// Wakes the dispatcher whenever a desk item is committed (and when the listener has just reconnected: items may have
    /// been posted meanwhile). The next wake-up is taken before this one is acted on, so a post in between is not missed.
    /// </summary>
    private async Task FollowPostsAsync(CancellationToken stoppingToken)
    {
        var next = posted.NextOnAnyDeskAsync();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await next.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            next = posted.NextOnAnyDeskAsync();
            Wake();
        }
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Delivery {DeliveryId} of notification {NotificationId} to subscription {SubscriptionId} failed after {Attempts} attempts (last: {Error}); see the delivery log")]
    private static partial void LogDeliveryFailed(ILogger logger, Guid deliveryId, Guid notificationId, Guid subscriptionId, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} attempt {Attempt} failed ({Error}); it will be retried")]
    // The recorded error names what went wrong (HTTP 500, a timeout, a refused connection), never the URL or a number.
    private static partial void LogAttemptFailed(ILogger logger, Guid deliveryId, int attempt, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording delivery {DeliveryId}'s attempt failed ({ExceptionType}); it is sent again once its claim lapses")]
    private static partial void LogRecordFailed(ILogger logger, Guid deliveryId, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery pass failed ({ExceptionType}); what is due stays due for the next pass")]
    private static partial void LogPassFailed(ILogger logger, string exceptionType);
}
