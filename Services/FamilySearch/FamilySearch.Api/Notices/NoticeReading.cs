using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.FamilySearch.Notices;

/// <summary>A notice in a station's list: coarse items only (no details are opened for a list).</summary>
public sealed record NoticeSummary(
    Guid Id, Guid CaseId, string CaseNumber, string Status, DateTimeOffset ArrivedAt, DateTimeOffset DueAt, int OverdueLevel,
    DateTimeOffset? PublishedAt, string Sex, int? AgeLow, int? AgeHigh, bool HasPhoto);

public sealed record NoticeList(IReadOnlyList<NoticeSummary> Items, string? Next);

public sealed record NoticeHistoryEntry(DateTimeOffset At, string Action, string? ByName, string? Comment);

/// <summary>A notice as staff in scope read it, with its details opened and its history.</summary>
public sealed record NoticeView(
    Guid Id, Guid CaseId, string CaseNumber, Guid ReferralId, string StationCounty, string CountyCode, string Status, int Version,
    DateTimeOffset ArrivedAt, DateTimeOffset DueAt, int OverdueLevel, string Sex, int? AgeLow, int? AgeHigh, int? HeightCm,
    string? Build, string? Ethnicity, string? Accent, DateOnly? FoundOn, string? FoundCounty, NoticeDetails Details,
    Guid? PhotoId, DateTimeOffset DraftedAt, DateTimeOffset? SubmittedAt, string? SubmittedByName, DateTimeOffset? ApprovedAt,
    string? ApprovedByName, DateTimeOffset? PublishedAt, DateTimeOffset? WithdrawnAt, string? WithdrawnReason,
    IReadOnlyList<NoticeHistoryEntry> History);

/// <summary>A notice's row as the actions need it.</summary>
public sealed class NoticeRow
{
    public Guid Id { get; init; }
    public Guid CaseId { get; init; }
    public string CaseNumber { get; init; } = "";
    public Guid ReferralId { get; init; }
    public string CountyCode { get; init; } = "";
    public string StationCounty { get; init; } = "";
    public string Status { get; init; } = "";
    public int Version { get; init; }
    public DateTime ArrivedAt { get; init; }
    public DateTime DueAt { get; init; }
    public int OverdueLevel { get; init; }
    public string Sex { get; init; } = "";
    public int? AgeLow { get; init; }
    public int? AgeHigh { get; init; }
    public int? HeightCm { get; init; }
    public string? Build { get; init; }
    public string? Ethnicity { get; init; }
    public string? Accent { get; init; }
    public DateTime? FoundOn { get; init; }
    public string? FoundCounty { get; init; }
    public string? DetailsKeyId { get; init; }
    public byte[]? DetailsSealed { get; init; }
    public Guid? PhotoId { get; init; }
    public DateTime DraftedAt { get; init; }
    public DateTime? SubmittedAt { get; init; }
    public string? SubmittedBy { get; init; }
    public string? SubmittedByName { get; init; }
    public DateTime? ApprovedAt { get; init; }
    public string? ApprovedByName { get; init; }
    public DateTime? PublishedAt { get; init; }
    public DateTime? WithdrawnAt { get; init; }
    public string? WithdrawnReason { get; init; }
}

public static class NoticeReading
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    public static readonly string[] Statuses = ["draft", "in_review", "published", "withdrawn"];

    private static readonly string SelectOne = $"select n.* from notices n where n.id = @Id and {NoticeScope.Predicate("n")}";

    private const string SelectHistory = """
        select at, action, by_name, detail->>'comment' as comment from notice_history where notice_id = @Id order by id
        """;

    // Open ones first (draft, in review) by their deadline, then the others by theirs; the cursor is that order's key.
    private static readonly string SelectList = $"""
        select n.id, n.case_id, n.case_number, n.status, n.arrived_at, n.due_at, n.overdue_level, n.published_at,
               n.sex, n.age_low, n.age_high, n.photo_id is not null as has_photo,
               case when n.status in ('draft', 'in_review') then 0 else 1 end as open_rank
        from notices n
        where {NoticeScope.Predicate("n")}
          and (@Status::text is null or n.status = @Status)
          and (@AfterRank::int is null
               or (case when n.status in ('draft', 'in_review') then 0 else 1 end, n.due_at, n.id) > (@AfterRank::int, @AfterDueAt::timestamptz, @AfterId::uuid))
        order by open_rank, n.due_at, n.id
        limit @Limit
        """;

    public static async Task<Results<Ok<NoticeList>, ValidationProblem>> ListAsync(
        string? status, string? after, int? limit, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not null && !Statuses.Contains(status))
        {
            errors["status"] = [$"状态为 {string.Join("、", Statuses)} 之一 / one of {string.Join(", ", Statuses)}"];
        }

        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"每页 1 至 {MaxLimit} 条 / between 1 and {MaxLimit}"];
        }

        var cursor = after is null ? null : Cursor.Parse(after);
        if (after is not null && cursor is null)
        {
            errors["after"] = ["无效的翻页标记 / not a cursor this list gave"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var take = limit ?? DefaultLimit;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<ListRow>(new CommandDefinition(SelectList, DataScope.Parameters(ReliefUser.From(http.User), new
        {
            Status = status, AfterRank = cursor?.Rank, AfterDueAt = cursor?.DueAt, AfterId = cursor?.Id, Limit = take + 1,
        }), cancellationToken: cancellationToken))).AsList();
        var items = rows.Take(take).Select(row => new NoticeSummary(row.Id, row.CaseId, row.CaseNumber, row.Status, Utc(row.ArrivedAt),
            Utc(row.DueAt), row.OverdueLevel, Utc(row.PublishedAt), row.Sex, row.AgeLow, row.AgeHigh, row.HasPhoto)).ToList();
        var next = rows.Count > take ? new Cursor(rows[take - 1].OpenRank, rows[take - 1].DueAt, rows[take - 1].Id).ToString() : null;
        return TypedResults.Ok(new NoticeList(items, next));
    }

    public static async Task<Results<Ok<NoticeView>, NotFound>> GetAsync(
        Guid id, HttpContext http, NpgsqlDataSource db, PersonalDataProtector protector, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var view = await ViewAsync(connection, ReliefUser.From(http.User), id, protector, cancellationToken);
        return view is null ? TypedResults.NotFound() : TypedResults.Ok(view);
    }

    /// <summary>The notice if it is in the user's scope, else null (out of scope reads as not there).</summary>
    public static Task<NoticeRow?> CurrentAsync(NpgsqlConnection connection, ReliefUser user, Guid id, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<NoticeRow>(new CommandDefinition(SelectOne, DataScope.Parameters(user, new { Id = id }),
            cancellationToken: cancellationToken));

    public static async Task<NoticeView?> ViewAsync(
        NpgsqlConnection connection, ReliefUser user, Guid id, PersonalDataProtector protector, CancellationToken cancellationToken)
    {
        var row = await CurrentAsync(connection, user, id, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var history = (await connection.QueryAsync<HistoryRow>(new CommandDefinition(SelectHistory, new { Id = id },
            cancellationToken: cancellationToken))).Select(entry => new NoticeHistoryEntry(Utc(entry.At), entry.Action, entry.ByName, entry.Comment)).ToList();
        return new NoticeView(row.Id, row.CaseId, row.CaseNumber, row.ReferralId, row.StationCounty, row.CountyCode, row.Status,
            row.Version, Utc(row.ArrivedAt), Utc(row.DueAt), row.OverdueLevel, row.Sex, row.AgeLow, row.AgeHigh, row.HeightCm, row.Build,
            row.Ethnicity, row.Accent, row.FoundOn is { } foundOn ? DateOnly.FromDateTime(foundOn) : null, row.FoundCounty,
            NoticeDetails.Open(protector, row.DetailsKeyId, row.DetailsSealed, row.Id), row.PhotoId, Utc(row.DraftedAt),
            Utc(row.SubmittedAt), row.SubmittedByName, Utc(row.ApprovedAt), row.ApprovedByName, Utc(row.PublishedAt),
            Utc(row.WithdrawnAt), row.WithdrawnReason, history);
    }

    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTimeOffset? Utc(DateTime? value) => value is { } v ? Utc(v) : null;

    private sealed class ListRow
    {
        public Guid Id { get; init; }
        public Guid CaseId { get; init; }
        public string CaseNumber { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTime ArrivedAt { get; init; }
        public DateTime DueAt { get; init; }
        public int OverdueLevel { get; init; }
        public DateTime? PublishedAt { get; init; }
        public string Sex { get; init; } = "";
        public int? AgeLow { get; init; }
        public int? AgeHigh { get; init; }
        public bool HasPhoto { get; init; }
        public int OpenRank { get; init; }
    }

    private sealed class HistoryRow
    {
        public DateTime At { get; init; }
        public string Action { get; init; } = "";
        public string? ByName { get; init; }
        public string? Comment { get; init; }
    }

    /// <summary>Where a page ended: the order's key of its last notice, as an opaque token.</summary>
    private sealed record Cursor(int Rank, DateTime DueAt, Guid Id)
    {
        public override string ToString() => Convert.ToBase64String(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{Rank}|{DateTime.SpecifyKind(DueAt, DateTimeKind.Utc).Ticks}|{Id}")));

        public static Cursor? Parse(string text)
        {
            try
            {
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(text)).Split('|');
                return parts.Length == 3 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var rank)
                    && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var ticks) && ticks is >= 0 and <= 3155378975999999999
                    && Guid.TryParse(parts[2], out var id)
                    ? new Cursor(rank, new DateTime(ticks, DateTimeKind.Utc), id) : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
