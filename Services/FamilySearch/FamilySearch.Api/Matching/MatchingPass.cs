using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Relief.FamilySearch.Notices;
using Relief.FamilySearch.Reports;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.PersonalData;
using Relief.ServiceDefaults.Concurrency;

namespace Relief.FamilySearch.Matching;

public sealed class MatchingOptions
{
    /// <summary>How often the pass looks at the queue when it found nothing to do.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Scores what changed against the other side: a report inserted or changed against the open notices (draft, in review,
/// published), a notice against the open reports. What changed is in <c>match_queue</c>, put there by triggers — the
/// notices are written by their own feature's code, which needs to know nothing of matching. Each pass takes queued rows
/// with <c>for update skip locked</c> (another instance takes others), pre-selects the other side by sex and age in SQL,
/// opens the sealed text and scores it in .NET (<see cref="MatchScorer"/>), and in one commit keeps the candidates above
/// the proposal threshold, drops the proposed ones that no longer score, and deletes the queue rows. A crash before the
/// commit leaves the rows queued for the next pass. Decided candidates (confirmed, rejected) are never changed here.
/// </summary>
public sealed partial class MatchingPass(
    NpgsqlDataSource db, UnitOfWorkFactory units, PersonalDataProtector protector, IOptionsMonitor<MatchingOptions> options,
    TimeProvider clock, ILogger<MatchingPass> logger) : BackgroundService
{
    public const int BatchSize = 100;

    private const string TakeQueued = """
        select seq, kind, subject_id from match_queue order by seq limit @BatchSize for update skip locked
        """;

    private const string DeleteTaken = "delete from match_queue where seq = any(@Seqs)";

    private const string OpenNoticeStatuses = "('draft', 'in_review', 'published')";

    private const string NoticeColumns = """
        n.id, n.status, n.sex, n.age_low, n.age_high, n.height_cm, n.found_on, n.found_county, n.accent, n.details_key_id, n.details_sealed
        """;

    private const string ReportColumns = """
        r.id, r.status, r.sex, r.age_then, r.last_seen_year, r.last_seen_on, r.height_cm, r.last_seen_county, r.sought_key_id, r.sought_sealed
        """;

    // The notice's age is its estimate when found (no earlier than last seen): between the age then and the age now,
    // widened by what the scorer still accepts.
    private const string NoticesFor = $"""
        select {NoticeColumns} from notices n
        where n.status in {OpenNoticeStatuses}
          and (@Sex = 'unknown' or n.sex not in ('male', 'female') or n.sex = @Sex)
          and (n.age_low is null and n.age_high is null
               or (coalesce(n.age_high, n.age_low + 5) + 12 >= @AgeThen and coalesce(n.age_low, n.age_high - 5) - 12 <= @AgeHighNow))
        """;

    private const string ReportsFor = $"""
        select {ReportColumns} from reports r
        where r.status = 'open'
          and (@Sex not in ('male', 'female') or r.sex = 'unknown' or r.sex = @Sex)
          and (@AgeLow::int is null and @AgeHigh::int is null
               or (r.age_then <= coalesce(@AgeHigh, @AgeLow + 5) + 12 and r.age_high_now >= coalesce(@AgeLow, @AgeHigh - 5) - 12))
        """;

    private const string KeepCandidate = """
        insert into match_candidates (id, notice_id, report_id, score, reasons, status, scored_at)
        values (@Id, @NoticeId, @ReportId, @Score, @Reasons, 'proposed', @At)
        on conflict (notice_id, report_id) do update set score = excluded.score, reasons = excluded.reasons, scored_at = excluded.scored_at
        where match_candidates.status = 'proposed'
        """;

    private const string DropStaleOfNotice = """
        delete from match_candidates where notice_id = @Id and status = 'proposed' and not (report_id = any(@Kept))
        """;

    private const string DropStaleOfReport = """
        delete from match_candidates where report_id = @Id and status = 'proposed' and not (notice_id = any(@Kept))
        """;

    // A failed pass leaves its rows queued for the next one.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicPass.RunAsync(options.CurrentValue.PollInterval, async cancellationToken =>
            {
                while (await RunOnceAsync(cancellationToken) == BatchSize)
                {
                    // a backlog: take the next batch now
                }
            },
            e => LogFailed(logger, e.GetType().Name), stoppingToken, clock: clock);

    /// <summary>One pass over the queue; returns how many queue rows it took.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(8)).DateTime);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var taken = (await connection.QueryAsync<Queued>(new CommandDefinition(TakeQueued, new { BatchSize }, transaction,
            cancellationToken: cancellationToken))).AsList();
        if (taken.Count == 0)
        {
            return 0;
        }

        var unit = units.Begin();
        var candidates = 0;
        foreach (var subject in taken.Select(row => (row.Kind, row.SubjectId)).Distinct())
        {
            candidates += subject.Kind == "notice"
                ? await ScoreNoticeAsync(connection, transaction, unit, subject.SubjectId, now, today, cancellationToken)
                : await ScoreReportAsync(connection, transaction, unit, subject.SubjectId, now, today, cancellationToken);
        }

        unit.Write(DeleteTaken, new { Seqs = taken.Select(row => row.Seq).ToArray() });
        await unit.CommitAsync(transaction, cancellationToken);
        LogScored(logger, taken.Count, candidates);
        return taken.Count;
    }

    private async Task<int> ScoreNoticeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, UnitOfWork unit, Guid id,
        DateTimeOffset now, DateOnly today, CancellationToken cancellationToken)
    {
        var notice = await connection.QuerySingleOrDefaultAsync<NoticeRow>(new CommandDefinition(
            $"select {NoticeColumns} from notices n where n.id = @Id", new { Id = id }, transaction, cancellationToken: cancellationToken));
        var kept = new List<Guid>();
        if (notice is not null && notice.Status is "draft" or "in_review" or "published")
        {
            var prepared = MatchScorer.Prepare(Traits(notice));
            var reports = await connection.QueryAsync<ReportRow>(new CommandDefinition(ReportsFor,
                new { notice.Sex, notice.AgeLow, notice.AgeHigh }, transaction, cancellationToken: cancellationToken));
            foreach (var report in reports)
            {
                if (MatchScorer.Score(prepared, MatchScorer.Prepare(Traits(report)), today) is { Score: >= MatchScorer.ProposalThreshold } score)
                {
                    Keep(unit, id, report.Id, score, now);
                    kept.Add(report.Id);
                }
            }
        }

        // A notice withdrawn (or gone) keeps none of its proposed candidates.
        unit.Write(DropStaleOfNotice, new { Id = id, Kept = kept.ToArray() });
        return kept.Count;
    }

    private async Task<int> ScoreReportAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, UnitOfWork unit, Guid id,
        DateTimeOffset now, DateOnly today, CancellationToken cancellationToken)
    {
        var report = await connection.QuerySingleOrDefaultAsync<ReportRow>(new CommandDefinition(
            $"select {ReportColumns}, r.age_high_now from reports r where r.id = @Id", new { Id = id }, transaction, cancellationToken: cancellationToken));
        var kept = new List<Guid>();
        if (report is { Status: "open" })
        {
            var prepared = MatchScorer.Prepare(Traits(report));
            var notices = await connection.QueryAsync<NoticeRow>(new CommandDefinition(NoticesFor,
                new { report.Sex, report.AgeThen, report.AgeHighNow }, transaction, cancellationToken: cancellationToken));
            foreach (var notice in notices)
            {
                if (MatchScorer.Score(MatchScorer.Prepare(Traits(notice)), prepared, today) is { Score: >= MatchScorer.ProposalThreshold } score)
                {
                    Keep(unit, notice.Id, id, score, now);
                    kept.Add(notice.Id);
                }
            }
        }

        unit.Write(DropStaleOfReport, new { Id = id, Kept = kept.ToArray() });
        return kept.Count;
    }

    private static void Keep(UnitOfWork unit, Guid noticeId, Guid reportId, MatchScore score, DateTimeOffset now) =>
        unit.Write(KeepCandidate, new
        {
            Id = Guid.CreateVersion7(), NoticeId = noticeId, ReportId = reportId, Score = (float)score.Score,
            Reasons = score.Reasons.ToArray(), At = now,
        });

    private NoticeTraits Traits(NoticeRow row)
    {
        var details = ReadableDetails(row);
        return new NoticeTraits(row.Id, row.Sex, row.AgeLow, row.AgeHigh, row.HeightCm,
            row.FoundOn is { } on ? DateOnly.FromDateTime(on) : null, row.FoundCounty, row.Accent,
            details.Name, details.Features, details.Clothing, details.FoundPlace);
    }

    /// <summary>The notice's sealed details; a notice whose text cannot be read is still scored on its clear items.</summary>
    private NoticeDetails ReadableDetails(NoticeRow row)
    {
        try
        {
            return NoticeDetails.Open(protector, row.DetailsKeyId, row.DetailsSealed, row.Id);
        }
        catch (Exception e) when (e is JsonException or CryptographicException)
        {
            return new NoticeDetails();
        }
    }

    private ReportTraits Traits(ReportRow row)
    {
        var sought = JsonSerializer.Deserialize<SoughtDetails>(protector.Open(new SealedValue(row.SoughtKeyId, row.SoughtSealed), row.Id),
            JsonSerializerOptions.Web)!;
        return new ReportTraits(row.Id, row.Sex, row.AgeThen, row.LastSeenYear, row.LastSeenOn is { } on ? DateOnly.FromDateTime(on) : null,
            row.HeightCm, row.LastSeenCounty, sought.Accent, sought.Name, sought.Features, sought.Clothing, sought.LastSeenPlace);
    }

    private sealed record Queued(long Seq, string Kind, Guid SubjectId);

    private sealed class NoticeRow
    {
        public Guid Id { get; init; }
        public string Status { get; init; } = "";
        public string Sex { get; init; } = "unknown";
        public int? AgeLow { get; init; }
        public int? AgeHigh { get; init; }
        public int? HeightCm { get; init; }
        public DateTime? FoundOn { get; init; }
        public string? FoundCounty { get; init; }
        public string? Accent { get; init; }
        public string? DetailsKeyId { get; init; }
        public byte[]? DetailsSealed { get; init; }
    }

    private sealed class ReportRow
    {
        public Guid Id { get; init; }
        public string Status { get; init; } = "";
        public string Sex { get; init; } = "unknown";
        public int AgeThen { get; init; }
        public int AgeHighNow { get; init; }
        public int LastSeenYear { get; init; }
        public DateTime? LastSeenOn { get; init; }
        public int? HeightCm { get; init; }
        public string? LastSeenCounty { get; init; }
        public string SoughtKeyId { get; init; } = "";
        public byte[] SoughtSealed { get; init; } = [];
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Matching pass: {Taken} queued change(s) scored, {Candidates} candidate(s) kept")]
    private static partial void LogScored(ILogger logger, int taken, int candidates);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Matching pass failed ({ExceptionType}); the changes stay queued for the next pass")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
