using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Relief.Referral.Contracts;
using Relief.Referral.Referrals;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Concurrency;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Referral.Deadlines;

/// <summary>
/// Fires the deadlines that have passed — a referral not accepted in time, a stay beyond its care days — each exactly
/// once, whatever the number of Referral instances and restarts: deadlines are rows (the broker has no delayed
/// delivery), and each pass takes the due ones with <c>for update skip locked</c> and, in the same commit, marks them
/// fired, notes them in the referral's history, raises its overdue level, arms the next level of escalation and writes
/// <see cref="ReferralOverdue"/> to the outbox. Another instance skips the rows one holds and finds them fired after;
/// a crash before the commit leaves them due for the next pass. Time is the injected clock's only.
/// </summary>
/// <remarks>
/// The referral's row is locked with its deadline and skipped if busy: an action on the referral locks the referral
/// first and its deadlines after, so the watcher must never wait on the one while holding the other. The referral's
/// version is not raised: going overdue changes nothing the station decided, and a station reading it must be able to
/// accept it on the version it saw.
/// </remarks>
public sealed partial class DeadlineWatcher(
    NpgsqlDataSource db, UnitOfWorkFactory units, IOptionsMonitor<ReferralOptions> options, TimeProvider clock,
    ILogger<DeadlineWatcher> logger) : BackgroundService
{
    /// <summary>Deadlines fired in one transaction at most; a longer backlog is taken in further passes at once.</summary>
    public const int BatchSize = 100;

    private const string TakeDue = """
        select d.id, d.referral_id, d.kind, d.level, d.round, d.due_at,
               r.case_id, r.county_code, r.receiving_station_county, r.priority
        from deadlines d join referrals r on r.id = d.referral_id
        where d.fired_at is null and d.cancelled_at is null and d.due_at <= @Now
        order by d.due_at, d.id
        limit @BatchSize
        for update of d, r skip locked
        """;

    private const string MarkFired = "update deadlines set fired_at = @Now where id = @Id";

    private const string RaiseOverdueLevel = "update referrals set overdue_level = @Level where id = @ReferralId";

    private const string NoteHistory = """
        insert into referral_history (referral_id, version, at, by, by_name, action, from_status, to_status, detail)
        select r.id, r.version, @Now, @By, @ByName, 'overdue', r.status, r.status,
               jsonb_build_object('kind', @Kind::text, 'level', @Level::int, 'dueAt', @DueAt::timestamptz)
        from referrals r where r.id = @ReferralId
        """;

    private const string ArmNextLevel = """
        insert into deadlines (id, referral_id, kind, level, round, due_at) values (@Id, @ReferralId, @Kind, @Level, @Round, @DueAt)
        """;

    private long lastPassTicks;

    /// <summary>The clock's time at which the last pass looked for due deadlines, once it has committed (for health and tests).</summary>
    public DateTimeOffset? LastPassAt =>
        Interlocked.Read(ref lastPassTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    // A failed pass leaves its rows due for the next one.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicPass.RunAsync(options.CurrentValue.DeadlinePollEvery, async cancellationToken =>
            {
                while (await FireDueAsync(cancellationToken) == BatchSize)
                {
                    // a backlog (after an outage): take the next batch now
                }
            },
            e => LogFailed(logger, e.GetType().Name), stoppingToken, clock: clock);

    /// <summary>One pass: fires the deadlines due now that no other instance holds; returns how many.</summary>
    public async Task<int> FireDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var settings = options.CurrentValue;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var due = (await connection.QueryAsync<DueDeadline>(new CommandDefinition(TakeDue, new { Now = now, BatchSize },
            transaction, cancellationToken: cancellationToken))).AsList();

        // A pass that fires deadlines is a trace of its own, which the overdue events it publishes continue.
        using var activity = due.Count > 0 ? ReliefTelemetry.ActivitySource.StartActivity("deadlines fired") : null;
        activity?.SetTag("relief.deadlines", due.Count);
        var unit = units.Begin();
        foreach (var deadline in due)
        {
            var dueAt = new DateTimeOffset(deadline.DueAt, TimeSpan.Zero);
            unit.Write(MarkFired, new { deadline.Id, Now = now });
            unit.Write(RaiseOverdueLevel, new { deadline.ReferralId, deadline.Level });
            unit.Write(NoteHistory, new
            {
                deadline.ReferralId, Now = now, deadline.Kind, deadline.Level, DueAt = dueAt,
                By = SystemActors.Deadlines.Subject, ByName = SystemActors.Deadlines.Name,
            });
            if (deadline.Level < settings.EscalationLevels)
            {
                // The next level is one more span after this one was due, not after it fired: a late pass does not
                // push the escalation back.
                unit.Write(ArmNextLevel, new
                {
                    Id = Guid.CreateVersion7(), deadline.ReferralId, deadline.Kind, Level = deadline.Level + 1, deadline.Round,
                    DueAt = dueAt + settings.AcceptWithinFor(deadline.Priority),
                });
            }

            unit.Publish(new ReferralOverdue
            {
                ReferralId = deadline.ReferralId, CaseId = deadline.CaseId, CountyCode = deadline.CountyCode,
                ReceivingStationCounty = deadline.ReceivingStationCounty, Kind = deadline.Kind, Level = deadline.Level,
                DueAt = dueAt, At = now,
            });
        }

        await unit.CommitAsync(transaction, cancellationToken);
        Interlocked.Exchange(ref lastPassTicks, now.UtcTicks);
        if (due.Count > 0)
        {
            LogFired(logger, due.Count);
        }

        return due.Count;
    }

    private sealed record DueDeadline(
        Guid Id, Guid ReferralId, string Kind, int Level, int Round, DateTime DueAt, Guid CaseId, string CountyCode,
        string ReceivingStationCounty, string Priority);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} referral deadline(s) passed: overdue raised")]
    private static partial void LogFired(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deadline pass failed ({ExceptionType}); the deadlines stay due for the next pass")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
