using System.Data.Common;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.Referral.Extensions;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.Referral.Contracts;

namespace Relief.Referral.Referrals;

/// <summary>
/// Reading referrals — one with its history, a case's, a station's inbox — always within the reader's scope: out of
/// scope reads as not there (404).
/// </summary>
public static class ReferralReading
{
    /// <summary>
    /// The rows of <c>referrals r</c> a user may see. A county officer sees the referrals of their county's cases and
    /// those their county's station received — a case transferred in from another county is theirs to follow too: the
    /// county column is the receiving county when that is the officer's, else the case's.
    /// </summary>
    public static readonly string Scope = DataScope.Predicate(new ScopeColumns(
        County: "(case when r.receiving_station_county = @ScopeCounty then r.receiving_station_county else r.county_code end)",
        ServicePoint: "r.service_point_code", ReceivingStationCounty: "r.receiving_station_county"));

    private const string Columns = """
        r.id, r.case_id, c.case_number, r.county_code, r.service_point_code, r.receiving_station_county,
        r.status, r.priority, r.sent_at, r.accept_by, r.overdue_level, r.version, r.accepted_at, r.care_started_at,
        r.care_until, r.closed_at, r.reject_reason, r.outcome, r.outcome_detail::text as outcome_detail, r.transferred_from,
        r.trace_id, r.classification_id
        """;

    private const string FromReferrals = "from referrals r left join cases c on c.id = r.case_id";

    private const string SelectRows = $"select {Columns} {FromReferrals}";

    // Any referral, saying whether the reader's scope holds it.
    private static readonly string SelectOneWithScope =
        $"select {Columns}, {Scope} as in_scope {FromReferrals} where r.id = @Id and (not @InScopeOnly or {Scope})";

    private const string SelectHistory = """
        select version, at, by, action, from_status, to_status, detail::text as detail, by_name, by_office
        from referral_history where referral_id = @Id order by id
        """;

    /// <summary>
    /// The case's open referral (a case has one at most), whoever's scope it is in, with who opened it (<c>opened_by</c>:
    /// "classification" when the rules did): for the system's own decisions, never answered to a user.
    /// </summary>
    public const string SelectOpenOfCase = $"""
        select {Columns},
               (select h.by from referral_history h where h.referral_id = r.id and h.action = 'request' order by h.id limit 1) as opened_by
        {FromReferrals}
        where r.case_id = @CaseId and r.status in ('{ReferralStatus.Requested}', '{ReferralStatus.Accepted}', '{ReferralStatus.InProgress}')
        """;

    // Overdue first, then the most urgent, then the longest waiting: the order a duty desk works in.
    private const string InboxOrder = """
        order by (r.overdue_level > 0) desc, array_position(array['urgent', 'high', 'normal'], r.priority), r.sent_at, r.id
        """;

    /// <summary>Which referrals an inbox shows: open (the default), closed, or all.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> InboxStatuses = new Dictionary<string, string[]>
    {
        ["open"] = ReferralStatus.Open,
        ["closed"] = [ReferralStatus.Rejected, ReferralStatus.Completed, ReferralStatus.Cancelled, ReferralStatus.Transferred],
        ["all"] = [.. ReferralStatus.Open, ReferralStatus.Rejected, ReferralStatus.Completed, ReferralStatus.Cancelled, ReferralStatus.Transferred],
    };

    /// <summary>
    /// How many closed referrals an inbox lists at most. Open ones are never cut off: a referral missing from the list
    /// would be one that nobody answers.
    /// </summary>
    public const int ClosedInboxLimit = 500;

    public static async Task<Results<Ok<ReferralDetail>, NotFound>> GetReferral(
        Guid id, HttpContext http, NpgsqlDataSource db, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var detail = await DetailAsync(connection, user, id, cancellationToken);
        if (detail is null)
        {
            await audit.RecordAsync(user, new AuditEntry("read_referral", AuditEntry.Refused, id.ToString()), cancellationToken);
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(detail);
    }

    /// <summary>The referrals of a case the reader may see, oldest first; none visible is 404, as for a single referral.</summary>
    public static async Task<Results<Ok<IReadOnlyList<ReferralSummary>>, NotFound>> FindReferralsByCase(
        Guid caseId, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ReferralRow>(new CommandDefinition(
            $"{SelectRows} where r.case_id = @CaseId and {Scope} order by r.sent_at, r.id", DataScope.Parameters(user, new { CaseId = caseId }),
            cancellationToken: cancellationToken));
        var referrals = rows.Select(row => row.ToSummary()).ToList();
        return referrals.Count == 0 ? TypedResults.NotFound() : TypedResults.Ok<IReadOnlyList<ReferralSummary>>(referrals);
    }

    /// <summary>A station's (or a county's, or the city's) referrals: overdue first, then by urgency, then by age.</summary>
    public static async Task<Results<Ok<IReadOnlyList<ReferralSummary>>, ValidationProblem>> Inbox(
        string? status, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var which = status ?? "open";
        if (!InboxStatuses.TryGetValue(which, out var statuses))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["status"] = ["状态为 open、closed 或 all / the status is open, closed or all"],
            });
        }

        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ReferralRow>(new CommandDefinition(
            $"{SelectRows} where r.status = any(@Statuses) and {Scope} {InboxOrder} limit @Limit",
            // A null limit is LIMIT ALL.
            DataScope.Parameters(user, new { Statuses = statuses, Limit = which == "open" ? (int?)null : ClosedInboxLimit }),
            cancellationToken: cancellationToken));
        return TypedResults.Ok<IReadOnlyList<ReferralSummary>>(rows.Select(row => row.ToSummary()).ToList());
    }

    /// <summary>
    /// A referral in the user's scope with its history, extensions and the actions the user may take; or null. Not
    /// <paramref name="inScopeOnly"/>: any referral, with no actions where it is outside the user's scope (the new referral
    /// a station has just transferred to another).
    /// </summary>
    public static async Task<ReferralDetail?> DetailAsync(DbConnection connection, ReliefUser user, Guid id, CancellationToken cancellationToken,
        bool inScopeOnly = true)
    {
        var row = await connection.QuerySingleOrDefaultAsync<ReferralRow>(new CommandDefinition(
            SelectOneWithScope,
            DataScope.Parameters(user, new { Id = id, InScopeOnly = inScopeOnly }), cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var history = await connection.QueryAsync<HistoryRow>(new CommandDefinition(SelectHistory, new { Id = id }, cancellationToken: cancellationToken));
        var extensions = await StayExtensionReading.OfReferralAsync(connection, id, cancellationToken);
        return row.ToDetail(row.InScope ? ReferralLifecycle.ActionsFor(row.Status, user.Role) : [],
            [.. history.Select(h => new ReferralHistoryEntry(h.Version, h.At, h.By, h.Action, h.FromStatus, h.ToStatus, Json(h.Detail)!.Value,
                h.ByName, h.ByOffice))],
            extensions);
    }

    /// <summary>A referral's state as it is now, in the user's scope (for a 409's body); or null.</summary>
    public static async Task<ReferralRow?> CurrentAsync(DbConnection connection, ReliefUser user, Guid id, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<ReferralRow>(new CommandDefinition(
            $"{SelectRows} where r.id = @Id and {Scope}", DataScope.Parameters(user, new { Id = id }), cancellationToken: cancellationToken));

    public static JsonElement? Json(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();

    private sealed record HistoryRow(
        int Version, DateTime At, string By, string Action, string? FromStatus, string ToStatus, string Detail, string? ByName, string? ByOffice);
}

/// <summary>A referral as the database holds it.</summary>
public sealed class ReferralRow
{
    public Guid Id { get; init; }
    public Guid CaseId { get; init; }
    public string? CaseNumber { get; init; }
    public string CountyCode { get; init; } = "";
    public string ServicePointCode { get; init; } = "";
    public string ReceivingStationCounty { get; init; } = "";
    public string Status { get; init; } = "";
    public string Priority { get; init; } = "";
    public DateTime SentAt { get; init; }
    public DateTime? AcceptBy { get; init; }
    public int OverdueLevel { get; init; }
    public int Version { get; init; }
    public DateTime? AcceptedAt { get; init; }
    public DateTime? CareStartedAt { get; init; }
    public DateTime? CareUntil { get; init; }
    public DateTime? ClosedAt { get; init; }
    public string? RejectReason { get; init; }
    public string? Outcome { get; init; }
    public string? OutcomeDetail { get; init; }
    public Guid? TransferredFrom { get; init; }
    public string? TraceId { get; init; }
    public Guid? ClassificationId { get; init; }
    /// <summary>Whether the reader's scope holds the referral (read only where the query asks).</summary>
    public bool InScope { get; init; }

    public ReferralSummary ToSummary() => new()
    {
        Id = Id, CaseId = CaseId, CaseNumber = CaseNumber, CountyCode = CountyCode, ServicePointCode = ServicePointCode,
        ReceivingStationCounty = ReceivingStationCounty, Status = Status, Priority = Priority, SentAt = SentAt, AcceptBy = AcceptBy,
        // The level is set back to 0 when what was late is done (accepted, closed, an extension approved).
        Overdue = OverdueLevel > 0, OverdueLevel = OverdueLevel, Version = Version, TraceId = TraceId,
    };

    public ReferralDetail ToDetail(IReadOnlyList<string> allowedActions, IReadOnlyList<ReferralHistoryEntry> history,
        IReadOnlyList<StayExtension> extensions) => new()
    {
        Id = Id, CaseId = CaseId, CaseNumber = CaseNumber, CountyCode = CountyCode, ServicePointCode = ServicePointCode,
        ReceivingStationCounty = ReceivingStationCounty, Status = Status, Priority = Priority, SentAt = SentAt, AcceptBy = AcceptBy,
        Overdue = OverdueLevel > 0, OverdueLevel = OverdueLevel, Version = Version, TraceId = TraceId,
        AcceptedAt = AcceptedAt, CareStartedAt = CareStartedAt, CareUntil = CareUntil, ClosedAt = ClosedAt, RejectReason = RejectReason,
        Outcome = Outcome, OutcomeDetail = ReferralReading.Json(OutcomeDetail), TransferredFrom = TransferredFrom,
        AllowedActions = allowedActions, History = history, Extensions = extensions,
    };
}

/// <summary>A referral in a list: the inbox, a case's referrals.</summary>
public record ReferralSummary
{
    public required Guid Id { get; init; }
    public required Guid CaseId { get; init; }
    /// <summary>The case number staff read aloud (county-date-sequence), when Referral knows it.</summary>
    public required string? CaseNumber { get; init; }
    public required string CountyCode { get; init; }
    public required string ServicePointCode { get; init; }
    public required string ReceivingStationCounty { get; init; }
    public required string Status { get; init; }
    public required string Priority { get; init; }
    public required DateTime SentAt { get; init; }
    public required DateTime? AcceptBy { get; init; }
    /// <summary>A deadline of the referral's present stage (acceptance, or the care days) has passed.</summary>
    public required bool Overdue { get; init; }
    public required int OverdueLevel { get; init; }
    public required int Version { get; init; }
    /// <summary>The trace the referral was opened in: the registration's, across the services.</summary>
    public string? TraceId { get; init; }
}

/// <summary>One referral with everything that happened to it and what the reader may do next.</summary>
public sealed record ReferralDetail : ReferralSummary
{
    public required DateTime? AcceptedAt { get; init; }
    public required DateTime? CareStartedAt { get; init; }
    public required DateTime? CareUntil { get; init; }
    public required DateTime? ClosedAt { get; init; }
    public required string? RejectReason { get; init; }
    public required string? Outcome { get; init; }
    public required JsonElement? OutcomeDetail { get; init; }
    public required Guid? TransferredFrom { get; init; }
    public required IReadOnlyList<string> AllowedActions { get; init; }
    public required IReadOnlyList<ReferralHistoryEntry> History { get; init; }
    public required IReadOnlyList<StayExtension> Extensions { get; init; }
}

/// <summary>
/// A step of a referral. <c>By</c> is who took it — a user's id, or Referral's own code for what it did itself — and
/// <c>ByName</c> (with <c>ByOffice</c>) who that was as people read it; null on steps recorded before names were kept.
/// </summary>
public sealed record ReferralHistoryEntry(
    int Version, DateTime At, string By, string Action, string? FromStatus, string ToStatus, JsonElement Detail,
    string? ByName = null, string? ByOffice = null);
