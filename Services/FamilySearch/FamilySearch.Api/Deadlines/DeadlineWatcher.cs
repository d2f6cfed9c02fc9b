using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Relief.FamilySearch.Contracts;
using Relief.FamilySearch.Notices;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Concurrency;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.FamilySearch.Deadlines;

/// <summary>
/// Fires the deadlines of family search that have passed — a notice not published within 24 hours of arrival, a police
/// request unanswered — each exactly once, whatever the number of instances and restarts (as Referral's watcher does):
/// each pass takes the due rows with <c>for update skip locked</c> and, in the same commit, marks them fired, raises the
/// subject's overdue level, arms the next level and writes <see cref="NoticeOverdue"/> or <see cref="PoliceRequestOverdue"/>
/// to the outbox. Another instance skips the rows one holds and finds them fired after; a crash before the commit leaves
/// them due. Time is the injected clock's only.
/// </summary>
/// <remarks>
/// The subject's row is locked with its deadline and skipped if busy: an action (publishing, answering) locks the subject
/// first and its deadlines after, so the watcher must never wait on the one while holding the other. The notice's version
/// is not raised: going overdue changes nothing staff wrote, and they must be able to go on with the version they read.
/// </remarks>
public sealed partial class DeadlineWatcher(
    NpgsqlDataSource db, UnitOfWorkFactory units, IOptionsMonitor<DeadlineOptions> options, TimeProvider clock,
    ILogger<DeadlineWatcher> logger) : BackgroundService
{
    /// <summary>Deadlines of each kind fired in one transaction at most; a longer backlog is taken in further passes at once.</summary>
    public const int BatchSize = 100;

    // A notice published or withdrawn meanwhile has its deadlines cancelled; the status test is a second guard.
    private const string TakeDueNotices = """
        select d.id, d.subject_id, d.level, d.due_at, n.case_id, n.county_code, n.station_county
        from deadlines d join notices n on n.id = d.subject_id
        where d.kind = 'notice' and d.fired_at is null and d.cancelled_at is null and d.due_at <= @Now
          and n.status in ('draft', 'in_review')
        order by d.due_at, d.id
        limit @BatchSize
        for update of d, n skip locked
        """;

    private const string TakeDueRequests = """
        select d.id, d.subject_id, d.level, d.due_at, r.case_id, r.county_code, r.station_county, r.kind
        from deadlines d join police_requests r on r.id = d.subject_id
        where d.kind = 'police_request' and d.fired_at is null and d.cancelled_at is null and d.due_at <= @Now
          and r.status = 'open'
        order by d.due_at, d.id
        limit @BatchSize
        for update of d, r skip locked
        """;

    private const string MarkFired = "update deadlines set fired_at = @Now where id = @Id";

    private const string RaiseNoticeLevel = "update notices set overdue_level = @Level where id = @SubjectId";

    private const string RaiseRequestLevel = "update police_requests set overdue_level = @Level where id = @SubjectId";

    private const string NoteNoticeHistory = """
        insert into notice_history (notice_id, version, at, action, by, by_name, detail)
        select n.id, n.version, @Now, 'overdue', @By, @ByName, jsonb_build_object('level', @Level::int, 'dueAt', @DueAt::timestamptz)
        from notices n where n.id = @SubjectId
        """;

    private const string ArmNextLevel = """
        insert into deadlines (id, kind, subject_id, level, due_at) values (@Id, @Kind, @SubjectId, @Level, @DueAt)
        """;

    private long lastPassTicks;

    /// <summary>The clock's time at which the last pass looked for due deadlines, once it has committed (for health and tests).</summary>
    public DateTimeOffset? LastPassAt =>
        Interlocked.Read(ref lastPassTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    // A failed pass leaves its rows due for the next one.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicPass.RunAsync(options.CurrentValue.PollEvery, async cancellationToken =>
            {
                while (await FireDueAsync(cancellationToken) >= BatchSize)
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
        var notices = (await connection.QueryAsync<DueDeadline>(new CommandDefinition(TakeDueNotices, new { Now = now, BatchSize },
            transaction, cancellationToken: cancellationToken))).AsList();
        var requests = (await connection.QueryAsync<DueDeadline>(new CommandDefinition(TakeDueRequests, new { Now = now, BatchSize },
            transaction, cancellationToken: cancellationToken))).AsList();

        // A pass that fires deadlines is a trace of its own, which the overdue events it publishes continue.
        using var activity = notices.Count + requests.Count > 0 ? ReliefTelemetry.ActivitySource.StartActivity("deadlines fired") : null;
        activity?.SetTag("relief.deadlines", notices.Count + requests.Count);
        var unit = units.Begin();
        foreach (var deadline in notices)
        {
            var dueAt = Fire(unit, deadline, FamilySearchDeadlines.Notice, RaiseNoticeLevel, now, settings);
            unit.Write(NoteNoticeHistory, new
            {
                deadline.SubjectId, Now = now, deadline.Level, DueAt = dueAt,
                By = NoticeActors.Deadlines.Subject, ByName = NoticeActors.Deadlines.Name,
            });
            unit.Publish(new NoticeOverdue
            {
                NoticeId = deadline.SubjectId, CaseId = deadline.CaseId, CountyCode = deadline.CountyCode,
                StationCounty = deadline.StationCounty, Level = deadline.Level, DueAt = dueAt, At = now,
            });
        }

        foreach (var deadline in requests)
        {
            var dueAt = Fire(unit, deadline, FamilySearchDeadlines.PoliceRequest, RaiseRequestLevel, now, settings);
            unit.Publish(new PoliceRequestOverdue
            {
                RequestId = deadline.SubjectId, CaseId = deadline.CaseId, CountyCode = deadline.CountyCode,
                StationCounty = deadline.StationCounty, Kind = deadline.Kind!, Level = deadline.Level, DueAt = dueAt, At = now,
            });
        }

        await unit.CommitAsync(transaction, cancellationToken);
        Interlocked.Exchange(ref lastPassTicks, now.UtcTicks);
        var fired = notices.Count + requests.Count;
        if (fired > 0)
        {
            LogFired(logger, notices.Count, requests.Count);
        }

        return Math.Max(notices.Count, requests.Count);
    }

    private static DateTimeOffset Fire(
        UnitOfWork unit, DueDeadline deadline, string kind, string raiseLevel, DateTimeOffset now, DeadlineOptions settings)
    {
        var dueAt = new DateTimeOffset(DateTime.SpecifyKind(deadline.DueAt, DateTimeKind.Utc));
        unit.Write(MarkFired, new { deadline.Id, Now = now });
        unit.Write(raiseLevel, new { deadline.SubjectId, deadline.Level });
        if (deadline.Level < settings.EscalationLevels)
        {
            // One more span after this level was due, not after it fired: a late pass does not push the escalation back.
            unit.Write(ArmNextLevel, new
            {
                Id = Guid.CreateVersion7(), Kind = kind, deadline.SubjectId, Level = deadline.Level + 1, DueAt = dueAt + settings.EscalateAfter,
            });
        }

        return dueAt;
    }

    private sealed class DueDeadline
    {
        public Guid Id { get; init; }
        public Guid SubjectId { get; init; }
        public int Level { get; init; }
        public DateTime DueAt { get; init; }
        public Guid CaseId { get; init; }
        public string CountyCode { get; init; } = "";
        public string StationCounty { get; init; } = "";
        /// <summary>A police request's kind.</summary>
        public string? Kind { get; init; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Family-search deadlines passed: {Notices} notice(s), {Requests} police request(s) overdue")]
    private static partial void LogFired(ILogger logger, int notices, int requests);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deadline pass failed ({ExceptionType}); the deadlines stay due for the next pass")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
