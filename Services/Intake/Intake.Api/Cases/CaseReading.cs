using Relief.Referral.Contracts;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.Intake.Contracts;
using Relief.Intake.Referrals;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.Intake.Cases;

/// <summary>The office's cases: the list with its filters, and a case's page. Every row is in the reader's scope.</summary>
public static class CaseReading
{
    /// <summary>What a <see cref="CaseSummary"/> is read from (never a sealed value).</summary>
    private const string SummaryColumns = """
        id, case_number, county_code, service_point_code, channel, person_name, sex, estimated_age, need,
        id_number_masked, referred_to_station_county, registered_at, closed_at, anonymised_at, trace_id,
        birth_date, household_place, benefits, situations, needs, belongings, place, contacts_count, identity_status,
        circumstances, version, possible_duplicate_of, closed_by, closing_outcome,
        current_referral.referral_id, current_referral.referral_status
        """;

    /// <summary>
    /// The cases with their current referral (the open one, else the one that changed last), as Intake follows it from
    /// Referral's events, newest state per referral (see <see cref="ReferralState"/>).
    /// </summary>
    private const string CasesWithTheirReferral = $"""
        cases left join lateral (
            select r.referral_id, r.status as referral_status from case_referrals r where r.case_id = cases.id {ReferralState.CurrentFirst}
        ) current_referral on true
        """;

    public const string SelectSummaries = $"select {SummaryColumns} from {CasesWithTheirReferral}";

    /// <summary>A case's page: the summary's columns and the sealed contacts and notes, opened for the reader.</summary>
    private static readonly string SelectCase = $"""
        select {SummaryColumns}, contacts_key_id, contacts_sealed, notes_key_id, notes_sealed
        from {CasesWithTheirReferral} where id = @Id and {CaseEndpoints.Scope}
        """;

    public static readonly IReadOnlyList<string> IdentityStatuses = ["unconfirmed", "id_card_checked", "police_check", "relatives_confirmed", "self_declared", "not_established"];

    /// <summary>
    /// Where a case is in the loop, for the list's <c>status</c> filter: <c>open</c> (not closed, whatever its referral)
    /// and <c>closed</c> as before, and the open cases by their current referral — <c>not_referred</c> (none yet),
    /// <c>referred</c> (sent, not yet accepted), <c>accepted</c>, <c>in_care</c>, <c>rejected</c> and <c>cancelled</c>
    /// (the point must refer again or close the case).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> CaseStatuses = new Dictionary<string, string>
    {
        ["open"] = "closed_at is null",
        ["closed"] = "closed_at is not null",
        ["not_referred"] = "closed_at is null and current_referral.referral_status is null",
        ["referred"] = $"closed_at is null and current_referral.referral_status = '{ReferralStatus.Requested}'",
        ["accepted"] = $"closed_at is null and current_referral.referral_status = '{ReferralStatus.Accepted}'",
        ["in_care"] = $"closed_at is null and current_referral.referral_status = '{ReferralStatus.InProgress}'",
        ["rejected"] = $"closed_at is null and current_referral.referral_status = '{ReferralStatus.Rejected}'",
        ["cancelled"] = $"closed_at is null and current_referral.referral_status = '{ReferralStatus.Cancelled}'",
    };

    /// <summary>A case in the reader's scope, with its contacts and notes opened; another's is "not found".</summary>
    public static async Task<Results<Ok<CaseDetail>, NotFound>> GetCase(
        Guid id, HttpContext http, NpgsqlDataSource db, PersonalDataProtector protector, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<CaseRow>(new CommandDefinition(
            SelectCase, DataScope.Parameters(user, new { Id = id }), cancellationToken: cancellationToken));
        if (row is null)
        {
            await audit.RecordAsync(user, new AuditEntry("read_case", AuditEntry.Refused, id.ToString()), cancellationToken);
            return TypedResults.NotFound();
        }

        var contacts = row.ContactsSealed is null ? null
            : JsonSerializer.Deserialize<CaseContacts>(protector.Open(new SealedValue(row.ContactsKeyId!, row.ContactsSealed), id));
        var notes = row.NotesSealed is null ? null : protector.Open(new SealedValue(row.NotesKeyId!, row.NotesSealed), id);
        var history = (await connection.QueryAsync<HistoryRow>(new CommandDefinition(
            // By when each step happened, not when Intake heard of it; a referral's steps of one instant by their sequence.
            "select at, by, by_name, by_office, action, detail::text as detail from case_history where case_id = @id order by at, sequence, id",
            new { id }, cancellationToken: cancellationToken)))
            .Select(h => new CaseHistoryEntry(new DateTimeOffset(DateTime.SpecifyKind(h.At, DateTimeKind.Utc)), h.By, h.Action,
                JsonDocument.Parse(h.Detail).RootElement.Clone(), h.ByName, h.ByOffice))
            .ToList();
        return TypedResults.Ok(new CaseDetail(row.ToSummary(user))
        {
            HouseholdPlace = row.HouseholdPlace, Benefits = row.Benefits, Needs = row.Needs, Belongings = row.Belongings, Place = row.Place,
            BirthDate = row.BirthDate is { } birth ? DateOnly.FromDateTime(birth) : null, Contacts = contacts, Notes = notes,
            Circumstances = row.Circumstances,
            History = history,
            Version = row.Version,
            ClosedBy = row.ClosedBy,
        });
    }

    /// <summary>
    /// The reader's cases, newest first, filtered; a page at a time (keyset: <paramref name="after"/> is the previous
    /// page's <c>next</c>). <paramref name="q"/> finds a name by any part of it.
    /// </summary>
    public static async Task<Results<Ok<CasePage>, ValidationProblem>> ListCases(
        string? point, string? county, string? status, DateOnly? from, DateOnly? to, string? situation, string? identity,
        string? q, string? after, int? limit, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not null && !CaseStatuses.ContainsKey(status))
        {
            errors["status"] = [$"状态为 {string.Join("、", CaseStatuses.Keys)} 之一 / one of {string.Join(", ", CaseStatuses.Keys)}"];
        }

        if (situation is not null && !CaseVocabulary.Situations.Contains(situation))
        {
            errors["situation"] = [$"情况为 {string.Join("、", CaseVocabulary.Situations)} 之一 / one of {string.Join(", ", CaseVocabulary.Situations)}"];
        }

        if (identity is not null && !IdentityStatuses.Contains(identity))
        {
            errors["identity"] = [$"身份状态为 {string.Join("、", IdentityStatuses)} 之一 / one of {string.Join(", ", IdentityStatuses)}"];
        }

        if (q is { Length: > 50 })
        {
            errors["q"] = ["姓名检索最长 50 个字 / at most 50 characters"];
        }

        if (limit is < 1 or > 100)
        {
            errors["limit"] = ["每页 1 到 100 条 / between 1 and 100"];
        }

        var cursor = after is null ? null : Cursor.Parse(after);
        if (after is not null && cursor is null)
        {
            errors["after"] = ["翻页标记无效 / not a page marker this list gave"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var filters = new List<string> { CaseEndpoints.Scope };
        if (point is not null) filters.Add("service_point_code = @point");
        if (county is not null) filters.Add("county_code = @county");
        if (status is not null) filters.Add(CaseStatuses[status]);
        // Dates are Beijing dates, as staff think of them.
        if (from is not null) filters.Add("registered_at >= (@from::timestamp at time zone 'Asia/Shanghai')");
        if (to is not null) filters.Add("registered_at < ((@to::date + 1)::timestamp at time zone 'Asia/Shanghai')");
        if (situation is not null) filters.Add("situations @> array[@situation]");
        if (identity is not null) filters.Add("identity_status = @identity");
        if (!string.IsNullOrWhiteSpace(q)) filters.Add(@"person_name ilike '%' || @pattern || '%'");
        if (cursor is not null) filters.Add("(registered_at, id) < (@cursorAt, @cursorId)");
        var take = limit ?? 50;

        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<CaseRow>(new CommandDefinition(
            $"{SelectSummaries} where {string.Join(" and ", filters)} order by registered_at desc, id desc limit @fetch",
            DataScope.Parameters(user, new
            {
                point, county, from, to, situation, identity,
                pattern = q?.Trim().Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal),
                cursorAt = cursor?.At, cursorId = cursor?.Id, fetch = take + 1,
            }), cancellationToken: cancellationToken))).AsList();
        var page = rows.Take(take).Select(row => row.ToSummary(user)).ToList();
        var next = rows.Count > take ? Cursor.Of(rows[take - 1]) : null;
        return TypedResults.Ok(new CasePage(page, next));
    }

    private sealed class HistoryRow
    {
        public DateTime At { get; init; }
        public string By { get; init; } = "";
        public string? ByName { get; init; }
        public string? ByOffice { get; init; }
        public string Action { get; init; } = "";
        public string Detail { get; init; } = "{}";
    }

    /// <summary>Where a page ended: the last row's time and id, opaque to clients.</summary>
    private sealed record Cursor(DateTime At, Guid Id)
    {
        public static string Of(CaseRow row) => Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{row.RegisteredAt.Ticks.ToString(CultureInfo.InvariantCulture)}:{row.Id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static Cursor? Parse(string value)
        {
            try
            {
                var padded = value.Replace('-', '+').Replace('_', '/');
                padded += new string('=', (4 - padded.Length % 4) % 4);
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split(':');
                return parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var ticks) && Guid.TryParse(parts[1], out var id)
                    && ticks is > 0 and < 3155378975999999999
                    ? new Cursor(new DateTime(ticks, DateTimeKind.Utc), id) : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }

    public sealed class CaseRow
    {
        public Guid Id { get; init; }
        public string CaseNumber { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public string ServicePointCode { get; init; } = "";
        public string Channel { get; init; } = "";
        public string? PersonName { get; init; }
        public string Sex { get; init; } = "";
        public short? EstimatedAge { get; init; }
        public string Need { get; init; } = "";
        public string? IdNumberMasked { get; init; }
        public string? ReferredToStationCounty { get; init; }
        public DateTime RegisteredAt { get; init; }
        public DateTime? ClosedAt { get; init; }
        public DateTime? AnonymisedAt { get; init; }
        public string? TraceId { get; init; }
        public DateTime? BirthDate { get; init; }
        public string? HouseholdPlace { get; init; }
        public string Benefits { get; init; } = "unknown";
        public string[] Situations { get; init; } = [];
        public string[] Needs { get; init; } = [];
        public string? Belongings { get; init; }
        public string? Place { get; init; }
        public short ContactsCount { get; init; }
        public string IdentityStatus { get; init; } = "unconfirmed";
        public string? Circumstances { get; init; }
        public int Version { get; init; }
        public string? PossibleDuplicateOf { get; init; }
        public string? ClosedBy { get; init; }
        public string? ClosingOutcome { get; init; }
        public Guid? ReferralId { get; init; }
        public string? ReferralStatus { get; init; }
        // The sealed values: read only where they are opened (the case page, completing a record), never listed.
        public string? IdNumberKeyId { get; init; }
        public byte[]? IdNumberSealed { get; init; }
        public string? ContactsKeyId { get; init; }
        public byte[]? ContactsSealed { get; init; }
        public string? NotesKeyId { get; init; }
        public byte[]? NotesSealed { get; init; }

        public CaseSummary ToSummary(ReliefUser reader) => new(Id, CaseNumber, CountyCode, ServicePointCode, Enum.Parse<IntakeChannel>(Channel),
            PersonNameMask.Mask(PersonName), Enum.Parse<Sex>(Sex), EstimatedAge, Enum.Parse<ReliefNeed>(Need),
            // A hotline operator dispatches; the identity document is not theirs to see, even masked.
            reader.Is(ReliefRoles.HotlineOperator) ? null : IdNumberMasked,
            ReferredToStationCounty, Utc(RegisteredAt), ClosedAt is { } closed ? Utc(closed) : null, AnonymisedAt is not null, TraceId,
            BirthDate?.Year, Situations, IdentityStatus, ContactsCount, PossibleDuplicateOf, ReferralId, ReferralStatus, ClosingOutcome);

        private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
    }
}

/// <summary>A case as listed: the name and the identity document masked, as every display of them is.</summary>
public record CaseSummary(Guid Id, string CaseNumber, string CountyCode, string ServicePointCode, IntakeChannel Channel,
    string? PersonName, Sex Sex, int? EstimatedAge, ReliefNeed Need, string? IdNumber, string? ReferredToStationCounty,
    DateTimeOffset RegisteredAt, DateTimeOffset? ClosedAt, bool Anonymised, string? TraceId,
    int? BirthYear, string[] Situations, string IdentityStatus, int ContactsCount, string? PossibleDuplicateOf,
    /// <summary>The case's current referral (its open one, else the last to change) and its status, newest event first.</summary>
    Guid? ReferralId = null, string? ReferralStatus = null,
    /// <summary>How the case ended, when closed: the referral's outcome, or the code the point closed it with.</summary>
    string? ClosingOutcome = null);

/// <summary>A case's page: the summary and the rest of the record, contacts and notes opened for the reader.</summary>
public sealed record CaseDetail : CaseSummary
{
    public CaseDetail(CaseSummary summary) : base(summary)
    {
    }

    public string? HouseholdPlace { get; init; }
    public string Benefits { get; init; } = "unknown";
    public string[] Needs { get; init; } = [];
    public string? Belongings { get; init; }
    public string? Place { get; init; }
    public DateOnly? BirthDate { get; init; }
    public CaseContacts? Contacts { get; init; }
    public string? Notes { get; init; }
    public string? Circumstances { get; init; }
    public IReadOnlyList<CaseHistoryEntry> History { get; init; } = [];
    /// <summary>The version to send back with a change (补充登记).</summary>
    public int Version { get; init; }
    /// <summary>Who closed the case: <c>referral</c> (its referral was completed) or the id of the staff member who closed it.</summary>
    public string? ClosedBy { get; init; }
}

public sealed record CasePage(IReadOnlyList<CaseSummary> Items, string? Next);
