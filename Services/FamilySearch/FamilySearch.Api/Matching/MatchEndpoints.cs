using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.FamilySearch.Contracts;
using Relief.FamilySearch.Notices;
using Relief.FamilySearch.Reports;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.FamilySearch.Matching;

/// <summary>
/// Staff's side of matching: a notice's or a report's ranked candidates, and the decision on one. Confirming is the
/// reunion: the candidate confirmed, the notice withdrawn (reunited), the report matched, <see cref="ReunionConfirmed"/>
/// and <see cref="NoticeWithdrawn"/> in the outbox, the audit entries — one transaction.
/// </summary>
public static class MatchEndpoints
{
    /// <summary>Who reads a notice's candidates: those who search.</summary>
    public static readonly string[] Readers =
        [ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator, ReliefRoles.Auditor];

    /// <summary>
    /// Who reads a report's candidates: those who search, and the point staff or hotline operator who took the family's
    /// report — that report only (its scope), so they can tell the family a notice may be their relative's; a candidate
    /// names ids and a score, never the notice.
    /// </summary>
    public static readonly string[] ReportReaders = [.. Readers, ReliefRoles.PointStaff, ReliefRoles.HotlineOperator];

    public static readonly string[] Deciders = [ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    public static IEndpointRouteBuilder MapMatchEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/family-search").WithTags("Matching");
        group.MapGet("/notices/{id:guid}/candidates", NoticeCandidatesAsync).RequireAuthorization(policy => policy.RequireRole(Readers));
        group.MapGet("/reports/{id:guid}/candidates", ReportCandidatesAsync).RequireAuthorization(policy => policy.RequireRole(ReportReaders));
        group.MapPost("/matches/{matchId:guid}/confirm", ConfirmAsync).RequireAuthorization(policy => policy.RequireRole(Deciders));
        group.MapPost("/matches/{matchId:guid}/reject", RejectAsync).RequireAuthorization(policy => policy.RequireRole(Deciders));
        return app;
    }

    private const string CandidateColumns = "m.id as match_id, m.notice_id, m.report_id, m.score, m.reasons, m.status";

    private static readonly string NoticeInScope = $"select 1 from notices n where n.id = @Id and {ReportScope.NoticePredicate}";
    private static readonly string ReportInScope = $"select 1 from reports r where r.id = @Id and {ReportScope.Predicate}";

    private static async Task<Results<Ok<IReadOnlyList<Candidate>>, NotFound>> ListAsync(
        string inScope, string column, Guid id, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        if (await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(inScope, ReportScope.Parameters(user, new { Id = id }),
                cancellationToken: cancellationToken)) is null)
        {
            return TypedResults.NotFound();
        }

        // With the other side's coarse items (never a name, a description or a contact): enough for staff to tell whether
        // to ask the office that holds it, which may be another county's.
        var rows = await connection.QueryAsync<ListedRow>(new CommandDefinition($"""
            select {CandidateColumns},
                   r.report_number, r.sex as report_sex, r.age_then, r.last_seen_year, r.last_seen_county, r.station_county as report_county,
                   n.status as notice_status, n.sex as notice_sex, n.age_low, n.age_high, n.found_on, n.found_county,
                   n.station_county as notice_station_county
            from match_candidates m join notices n on n.id = m.notice_id join reports r on r.id = m.report_id
            where m.{column} = @Id order by m.score desc, m.id
            """, new { Id = id }, cancellationToken: cancellationToken));
        return TypedResults.Ok<IReadOnlyList<Candidate>>(rows.Select(row => row.ToCandidate() with
        {
            Report = new CandidateReport(row.ReportNumber, row.ReportSex, row.AgeThen, row.LastSeenYear, row.LastSeenCounty, row.ReportCounty),
            Notice = new CandidateNotice(row.NoticeStatus, row.NoticeSex, row.AgeLow, row.AgeHigh,
                row.FoundOn is { } foundOn ? DateOnly.FromDateTime(foundOn) : null, row.FoundCounty, row.NoticeStationCounty),
        }).ToList());
    }

    public static Task<Results<Ok<IReadOnlyList<Candidate>>, NotFound>> NoticeCandidatesAsync(
        Guid id, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken) =>
        ListAsync(NoticeInScope, "notice_id", id, http, db, cancellationToken);

    public static Task<Results<Ok<IReadOnlyList<Candidate>>, NotFound>> ReportCandidatesAsync(
        Guid id, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken) =>
        ListAsync(ReportInScope, "report_id", id, http, db, cancellationToken);

    public sealed record DecisionRequest(string? Comment);

    // A candidate is the decider's when either side is in their scope: the station that holds the person, or the office
    // that took the family's report. Locked with both sides, so a notice being withdrawn or a second decision waits.
    private static readonly string LockMatch = $"""
        select {CandidateColumns}, n.status as notice_status, n.version as notice_version, n.case_id, n.county_code, n.station_county,
               r.status as report_status, r.station_county as report_county
        from match_candidates m
        join notices n on n.id = m.notice_id
        join reports r on r.id = m.report_id
        where m.id = @Id and ({ReportScope.NoticePredicate} or {ReportScope.Predicate})
        for update of m, n, r
        """;

    private const string Decide = """
        update match_candidates set status = @Status, decided_at = @At, decided_by = @By, decided_by_name = @ByName,
                                    comment_key_id = @CommentKeyId, comment_sealed = @CommentSealed
        where id = @Id
        """;

    // The other proposals of the notice and of the report are moot once the family is found.
    private const string DropOtherProposals = """
        delete from match_candidates where status = 'proposed' and id <> @Id and (notice_id = @NoticeId or report_id = @ReportId)
        """;

    private const string MatchReport = """
        update reports set status = 'matched', matched_at = @At, matched_notice_id = @NoticeId, version = version + 1, updated_at = @At
        where id = @ReportId
        """;

    public static async Task<Results<Ok<Candidate>, NotFound, ProblemHttpResult, ValidationProblem>> ConfirmAsync(
        Guid matchId, DecisionRequest? request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units,
        PersonalDataProtector protector, TimeProvider clock, CancellationToken cancellationToken) =>
        await DecideAsync(matchId, request, confirm: true, http, db, units, protector, clock, cancellationToken);

    public static async Task<Results<Ok<Candidate>, NotFound, ProblemHttpResult, ValidationProblem>> RejectAsync(
        Guid matchId, DecisionRequest? request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units,
        PersonalDataProtector protector, TimeProvider clock, CancellationToken cancellationToken) =>
        await DecideAsync(matchId, request, confirm: false, http, db, units, protector, clock, cancellationToken);

    private static async Task<Results<Ok<Candidate>, NotFound, ProblemHttpResult, ValidationProblem>> DecideAsync(
        Guid matchId, DecisionRequest? request, bool confirm, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units,
        PersonalDataProtector protector, TimeProvider clock, CancellationToken cancellationToken)
    {
        var comment = request?.Comment;
        if (comment is { Length: > 500 } || comment?.Any(c => char.IsControl(c) && c != '\n') == true)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["comment"] = ["说明最长 500 字，不含控制字符 / at most 500 characters, no control characters"],
            });
        }

        var user = ReliefUser.From(http.User);
        var action = confirm ? "confirm_match" : "reject_match";
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var match = await connection.QuerySingleOrDefaultAsync<LockedMatch>(new CommandDefinition(LockMatch,
            ReportScope.Parameters(user, new { Id = matchId }), transaction, cancellationToken: cancellationToken));
        if (match is null)
        {
            await transaction.RollbackAsync(cancellationToken);
            await AuditLog.RecordAsync(connection, null, user, new AuditEntry(action, AuditEntry.Refused, matchId.ToString()), cancellationToken);
            return TypedResults.NotFound();
        }

        if (match.Status != "proposed")
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: $"这个候选已{(match.Status == "confirmed" ? "确认" : "排除")} / the candidate was already {match.Status}");
        }

        if (confirm && (match.NoticeStatus is not ("draft" or "in_review" or "published") || match.ReportStatus != "open"))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "公告已撤回或登记已结案 / the notice is withdrawn or the report is no longer open");
        }

        var now = clock.GetUtcNow();
        var sealedComment = string.IsNullOrWhiteSpace(comment) ? null : protector.Seal(comment.Trim(), matchId);
        var unit = units.Begin();
        unit.Write(Decide, new
        {
            Id = matchId, Status = confirm ? "confirmed" : "rejected", At = now, By = user.Subject, ByName = user.DisplayName,
            CommentKeyId = sealedComment?.KeyId, CommentSealed = sealedComment?.Ciphertext,
        });
        AuditLog.Record(unit, user, new AuditEntry(action, AuditEntry.Succeeded, matchId.ToString()));
        if (confirm)
        {
            var ids = new { Id = matchId, match.NoticeId, match.ReportId, At = now };
            unit.Write(DropOtherProposals, ids);
            unit.Write(MatchReport, ids);
            // Withdrawn as staff withdraw a notice (its history, its deadlines ended, the audit entry, NoticeWithdrawn).
            NoticeActions.Withdraw(unit, new NoticeRow
            {
                Id = match.NoticeId, CaseId = match.CaseId, CountyCode = match.CountyCode, StationCounty = match.StationCounty,
                Status = match.NoticeStatus, Version = match.NoticeVersion,
            }, "reunited", comment: null, user, now, checkVersion: false);
            unit.Publish(new ReunionConfirmed
            {
                MatchId = matchId, NoticeId = match.NoticeId, ReportId = match.ReportId, CaseId = match.CaseId,
                CountyCode = match.CountyCode, StationCounty = match.StationCounty, ReportCounty = match.ReportCounty, At = now,
            });
        }

        await unit.CommitAsync(transaction, CancellationToken.None);
        return TypedResults.Ok(new Candidate(matchId, match.NoticeId, match.ReportId, Math.Round(match.Score, 4), match.Reasons,
            confirm ? "confirmed" : "rejected"));
    }

    private class CandidateRow
    {
        public Guid MatchId { get; init; }
        public Guid NoticeId { get; init; }
        public Guid ReportId { get; init; }
        public float Score { get; init; }
        public string[] Reasons { get; init; } = [];
        public string Status { get; init; } = "";

        public Candidate ToCandidate() => new(MatchId, NoticeId, ReportId, Math.Round(Score, 4), Reasons, Status);
    }

    private sealed class ListedRow : CandidateRow
    {
        public string ReportNumber { get; init; } = "";
        public string ReportSex { get; init; } = "";
        public int AgeThen { get; init; }
        public int LastSeenYear { get; init; }
        public string? LastSeenCounty { get; init; }
        public string ReportCounty { get; init; } = "";
        public string NoticeStatus { get; init; } = "";
        public string NoticeSex { get; init; } = "";
        public int? AgeLow { get; init; }
        public int? AgeHigh { get; init; }
        public DateTime? FoundOn { get; init; }
        public string? FoundCounty { get; init; }
        public string NoticeStationCounty { get; init; } = "";
    }

    private sealed class LockedMatch : CandidateRow
    {
        public string NoticeStatus { get; init; } = "";
        public int NoticeVersion { get; init; }
        public Guid CaseId { get; init; }
        public string CountyCode { get; init; } = "";
        public string StationCounty { get; init; } = "";
        public string ReportStatus { get; init; } = "";
        public string ReportCounty { get; init; } = "";
    }
}

/// <summary>
/// A notice and a report that may be the same person: score 0–1, the items that agree, and staff's decision; in a list,
/// the coarse items of both sides (the other side may be out of the reader's scope).
/// </summary>
public sealed record Candidate(Guid MatchId, Guid NoticeId, Guid ReportId, double Score, IReadOnlyList<string> Reasons, string Status)
{
    public CandidateReport? Report { get; init; }
    public CandidateNotice? Notice { get; init; }
}

/// <summary>A report as a candidate shows it: its number, who is sought in coarse items, and the county that took it.</summary>
public sealed record CandidateReport(string ReportNumber, string Sex, int AgeThen, int LastSeenYear, string? LastSeenCounty, string TakenInCounty);

/// <summary>A notice as a candidate shows it: its state, the person found in coarse items, and the station's county.</summary>
public sealed record CandidateNotice(string Status, string Sex, int? AgeLow, int? AgeHigh, DateOnly? FoundOn, string? FoundCounty, string StationCounty);
