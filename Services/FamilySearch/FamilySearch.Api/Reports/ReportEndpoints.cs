using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.FamilySearch.Reports;

/// <summary>寻人登记: families' missing-person reports, under <c>/api/family-search/reports</c>.</summary>
public static class ReportEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Beijing time: the day a report number counts in, and the year ages are reckoned from.</summary>
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapReportEndpoints(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/family-search/reports").WithTags("Reports");
        reports.MapPost("/", CreateAsync).RequireAuthorization(policy => policy.RequireRole(ReportScope.Creators));
        reports.MapGet("/", ListAsync).RequireAuthorization(policy => policy.RequireRole(ReportScope.Readers));
        reports.MapGet("/{id:guid}", GetAsync).RequireAuthorization(policy => policy.RequireRole(ReportScope.Readers));
        return app;
    }

    private const string InsertReport = """
        with number as (
            insert into report_number_counters (county_code, day, last) values (@StationCounty, @Day, 1)
            on conflict (county_code, day) do update set last = report_number_counters.last + 1
            returning last)
        insert into reports (id, report_number, channel, service_point_code, station_county, status, sex, age_then, age_low_now,
                             age_high_now, height_cm, last_seen_year, last_seen_on, last_seen_county, sought_key_id, sought_sealed,
                             reporter_key_id, reporter_sealed, created_by, created_by_name, created_at, updated_at)
        select @Id, 'XR-' || @StationCounty || '-' || to_char(@Day, 'YYYYMMDD') || '-' || lpad(number.last::text, greatest(4, length(number.last::text)), '0'),
               @Channel, @ServicePointCode, @StationCounty, 'open', @Sex, @AgeThen, @AgeLowNow, @AgeHighNow, @HeightCm,
               @LastSeenYear, @LastSeenOn, @LastSeenCounty, @SoughtKeyId, @SoughtSealed, @ReporterKeyId, @ReporterSealed,
               @CreatedBy, @CreatedByName, @CreatedAt, @CreatedAt
        from number
        returning report_number
        """;

    private const string RememberIdempotencyKey = """
        insert into report_idempotency_keys (created_by, key, request_hash, report_id, created_at)
        values (@CreatedBy, @Key, @RequestHash, @ReportId, @CreatedAt)
        """;

    private const string SelectEarlierAnswer = """
        select k.request_hash, r.id, r.report_number
        from report_idempotency_keys k join reports r on r.id = k.report_id
        where k.created_by = @Subject and k.key = @Key
        """;

    public static async Task<Results<Created<CreatedReport>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        CreateReportRequest? request, HttpContext http, UnitOfWorkFactory units, PersonalDataProtector protector, NpgsqlDataSource db,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.ToOffset(Beijing).DateTime);
        if (request is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A request body is required."] });
        }

        var errors = ReportValidation.Errors(request, today);
        var key = http.Request.Headers[IdempotencyKeyHeader].ToString();
        if (key.Length > 100 || key.Any(char.IsControl))
        {
            errors[IdempotencyKeyHeader] = ["Idempotency-Key 最长 100 个字符，不含控制字符 / at most 100 characters, no control characters"];
        }

        var user = ReliefUser.From(http.User);
        // Point staff take a report at their own point: the report names where the family asked.
        if (user.Is(ReliefRoles.PointStaff) && request.ServicePointCode is { } named && named.Trim() != user.Office)
        {
            errors["servicePointCode"] = ["只能在本人所在服务点登记 / point staff take reports at their own point"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var sought = request.Sought!;
        var reporter = request.Reporter!;
        var id = Guid.CreateVersion7();
        var lastSeenYear = sought.LastSeenOn?.Year ?? sought.YearLastSeen!.Value;
        // The family's "age then" and the year are each remembered to a year or so: ± 2 around the age now.
        var ageNow = sought.AgeThen!.Value + (today.Year - lastSeenYear);
        var soughtSealed = protector.Seal(JsonSerializer.Serialize(new SoughtDetails(
            Trim(sought.Name), Trim(sought.LastSeenPlace), Trim(sought.Features), Trim(sought.Clothing), Trim(sought.Accent)), Json), id);
        var reporterSealed = protector.Seal(JsonSerializer.Serialize(new ReporterDetails(
            reporter.Name!.Trim(), reporter.Relation!.Trim(), reporter.Phone!.Trim()), Json), id);

        var unit = units.Begin();
        unit.WriteReturning(InsertReport, new
        {
            Id = id, StationCounty = user.County, Day = today, request.Channel, ServicePointCode = Trim(request.ServicePointCode),
            sought.Sex, sought.AgeThen, AgeLowNow = Math.Max(0, ageNow - 2), AgeHighNow = ageNow + 2, sought.HeightCm,
            LastSeenYear = lastSeenYear, sought.LastSeenOn, LastSeenCounty = sought.LastSeenCounty,
            SoughtKeyId = soughtSealed.KeyId, SoughtSealed = soughtSealed.Ciphertext,
            ReporterKeyId = reporterSealed.KeyId, ReporterSealed = reporterSealed.Ciphertext,
            CreatedBy = user.Subject, CreatedByName = user.DisplayName, CreatedAt = now,
        });
        // The request as the server understood it: a retry must be the same request to get the first answer.
        var requestHash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, Json));
        if (key.Length > 0)
        {
            // A second submit with this key collides here, and nothing of it is kept: not even a number.
            unit.Write(RememberIdempotencyKey, new { CreatedBy = user.Subject, Key = key, RequestHash = requestHash, ReportId = id, CreatedAt = now });
        }

        AuditLog.Record(unit, user, new AuditEntry("create_report", AuditEntry.Succeeded, id.ToString()));
        try
        {
            // Not the request's abort token: a client that hangs up after sending must not decide whether the report is kept.
            await unit.CommitAsync(CancellationToken.None);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "report_idempotency_keys_pkey")
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            var first = await connection.QuerySingleAsync<EarlierAnswer>(new CommandDefinition(SelectEarlierAnswer,
                new { user.Subject, Key = key }, cancellationToken: cancellationToken));
            if (!first.RequestHash.AsSpan().SequenceEqual(requestHash))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title:
                    "这个 Idempotency-Key 已用于另一份登记 / this Idempotency-Key was used for a different report");
            }

            http.Response.Headers["Idempotent-Replayed"] = "true";
            return TypedResults.Created($"/api/family-search/reports/{first.Id}", new CreatedReport(first.Id, first.ReportNumber));
        }

        return TypedResults.Created($"/api/family-search/reports/{id}", new CreatedReport(id, (string)unit.Returned![0]!));
    }

    private static string? Trim(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private sealed class EarlierAnswer
    {
        public byte[] RequestHash { get; init; } = [];
        public Guid Id { get; init; }
        public string ReportNumber { get; init; } = "";
    }

    private const string Columns = """
        r.id, r.report_number, r.channel, r.service_point_code, r.station_county, r.status, r.version, r.sex, r.age_then,
        r.age_low_now, r.age_high_now, r.height_cm, r.last_seen_year, r.last_seen_on, r.last_seen_county, r.created_at,
        r.created_by_name, r.matched_at, r.matched_notice_id,
        (select count(*) from match_candidates m where m.report_id = r.id and m.status = 'proposed') as candidates,
        (select max(m.score) from match_candidates m where m.report_id = r.id and m.status = 'proposed') as best_score
        """;

    private static readonly string SelectPage = $"""
        select {Columns} from reports r
        where {ReportScope.Predicate} and (@Status::text is null or r.status = @Status)
          and (@After::uuid is null or (r.created_at, r.id) < (select a.created_at, a.id from reports a where a.id = @After))
        order by r.created_at desc, r.id desc
        limit @Limit
        """;

    public static readonly IReadOnlyList<string> Statuses = ["open", "matched", "closed"];

    public static async Task<Results<Ok<ReportPage>, ValidationProblem>> ListAsync(
        string? status, Guid? after, int? limit, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not null && !Statuses.Contains(status))
        {
            errors["status"] = ["状态为 open、matched、closed 之一 / the status is one of open, matched, closed"];
        }

        if (limit is < 1 or > 200)
        {
            errors["limit"] = ["每页 1 至 200 条 / 1 to 200"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var take = limit ?? 50;
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<ReportRow>(new CommandDefinition(SelectPage,
            ReportScope.Parameters(user, new { Status = status, After = after, Limit = take + 1 }), cancellationToken: cancellationToken))).AsList();
        var items = rows.Take(take).Select(row => row.ToSummary()).ToList();
        return TypedResults.Ok(new ReportPage(items, rows.Count > take ? items[^1].Id : null));
    }

    private static readonly string SelectOne = $"""
        select {Columns}, r.sought_key_id, r.sought_sealed, r.reporter_key_id, r.reporter_sealed
        from reports r where r.id = @Id and {ReportScope.Predicate}
        """;

    /// <summary>
    /// A report, the reporter's phone masked — unless <paramref name="reveal"/> with a stated purpose, which is written to
    /// the audit log before the number leaves. Out of scope: 404.
    /// </summary>
    public static async Task<Results<Ok<ReportView>, NotFound, ValidationProblem, ForbidHttpResult>> GetAsync(
        Guid id, bool? reveal, string? purpose, HttpContext http, NpgsqlDataSource db, PersonalDataProtector protector,
        CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        var revealing = reveal == true;
        if (revealing && (string.IsNullOrWhiteSpace(purpose) || purpose.Trim().Length is < 4 or > 200))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["purpose"] = ["查看完整电话须说明用途（4 至 200 字），记入审计日志 / state why you need the full number (4 to 200 characters); it is written to the audit log"],
            });
        }

        if (revealing && user.Is(ReliefRoles.Auditor))
        {
            return TypedResults.Forbid();
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ReportRow>(new CommandDefinition(SelectOne,
            ReportScope.Parameters(user, new { Id = id }), cancellationToken: cancellationToken));
        if (row is null)
        {
            if (revealing)
            {
                await AuditLog.RecordAsync(connection, null, user, new AuditEntry("reveal_reporter_phone", AuditEntry.Refused, id.ToString(), purpose!.Trim()), cancellationToken);
            }

            return TypedResults.NotFound();
        }

        // A report past its retention period keeps only its clear items: the sealed parts are erased.
        var sought = row.SoughtSealed is null ? new SoughtDetails(null, null, null, null, null)
            : JsonSerializer.Deserialize<SoughtDetails>(protector.Open(new SealedValue(row.SoughtKeyId!, row.SoughtSealed), id), Json)!;
        var reporter = row.ReporterSealed is null ? new ReporterDetails("", "", "")
            : JsonSerializer.Deserialize<ReporterDetails>(protector.Open(new SealedValue(row.ReporterKeyId!, row.ReporterSealed), id), Json)!;
        if (revealing)
        {
            // No audit entry, no number.
            await AuditLog.RecordAsync(connection, null, user, new AuditEntry("reveal_reporter_phone", AuditEntry.Succeeded, id.ToString(), purpose!.Trim()), cancellationToken);
        }

        return TypedResults.Ok(row.ToView(sought, reporter with { Phone = revealing ? reporter.Phone : MaskPhone(reporter.Phone) }, revealing));
    }

    /// <summary>138****5678: the first three and the last four digits of a mobile number, two of anything shorter.</summary>
    public static string MaskPhone(string phone)
    {
        var digits = new string(phone.Where(char.IsDigit).ToArray());
        return digits.Length >= 11
            ? digits[..3] + new string('*', digits.Length - 7) + digits[^4..]
            : new string('*', Math.Max(0, digits.Length - 2)) + digits[Math.Max(0, digits.Length - 2)..];
    }

    internal sealed class ReportRow
    {
        public Guid Id { get; init; }
        public string ReportNumber { get; init; } = "";
        public string Channel { get; init; } = "";
        public string? ServicePointCode { get; init; }
        public string StationCounty { get; init; } = "";
        public string Status { get; init; } = "";
        public int Version { get; init; }
        public string Sex { get; init; } = "";
        public int AgeThen { get; init; }
        public int AgeLowNow { get; init; }
        public int AgeHighNow { get; init; }
        public int? HeightCm { get; init; }
        public int LastSeenYear { get; init; }
        public DateTime? LastSeenOn { get; init; }
        public string? LastSeenCounty { get; init; }
        public DateTime CreatedAt { get; init; }
        public string? CreatedByName { get; init; }
        public DateTime? MatchedAt { get; init; }
        public Guid? MatchedNoticeId { get; init; }
        public long Candidates { get; init; }
        public float? BestScore { get; init; }
        public string? SoughtKeyId { get; init; }
        public byte[]? SoughtSealed { get; init; }
        public string? ReporterKeyId { get; init; }
        public byte[]? ReporterSealed { get; init; }

        private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

        public ReportSummary ToSummary() => new(Id, ReportNumber, Status, Channel, StationCounty, Sex, AgeLowNow, AgeHighNow,
            LastSeenYear, LastSeenCounty, Utc(CreatedAt), (int)Candidates, BestScore is { } best ? Math.Round(best, 4) : null);

        public ReportView ToView(SoughtDetails sought, ReporterDetails reporter, bool phoneRevealed) => new(
            Id, ReportNumber, Channel, ServicePointCode, StationCounty, Status, Version,
            new SoughtView(sought.Name, Sex, AgeThen, LastSeenYear, LastSeenOn is { } on ? DateOnly.FromDateTime(on) : null,
                sought.LastSeenPlace, LastSeenCounty, HeightCm, sought.Features, sought.Clothing, sought.Accent, AgeLowNow, AgeHighNow),
            reporter, phoneRevealed, Utc(CreatedAt), CreatedByName, MatchedAt is { } matched ? Utc(matched) : null, MatchedNoticeId);
    }
}

/// <summary>The sealed part of who is sought (owner: the report's id).</summary>
public sealed record SoughtDetails(string? Name, string? LastSeenPlace, string? Features, string? Clothing, string? Accent);

/// <summary>The sealed reporter (owner: the report's id); matching never opens it.</summary>
public sealed record ReporterDetails(string Name, string Relation, string Phone);

public sealed record CreatedReport(Guid Id, string ReportNumber);

public sealed record ReportSummary(
    Guid Id, string ReportNumber, string Status, string Channel, string StationCounty, string Sex, int AgeLowNow, int AgeHighNow,
    int LastSeenYear, string? LastSeenCounty, DateTimeOffset CreatedAt, int Candidates, double? BestScore);

public sealed record ReportPage(IReadOnlyList<ReportSummary> Items, Guid? Next);

public sealed record SoughtView(
    string? Name, string Sex, int AgeThen, int YearLastSeen, DateOnly? LastSeenOn, string? LastSeenPlace, string? LastSeenCounty,
    int? HeightCm, string? Features, string? Clothing, string? Accent, int AgeLowNow, int AgeHighNow);

public sealed record ReportView(
    Guid Id, string ReportNumber, string Channel, string? ServicePointCode, string StationCounty, string Status, int Version,
    SoughtView Sought, ReporterDetails Reporter, bool PhoneRevealed, DateTimeOffset CreatedAt, string? CreatedByName,
    DateTimeOffset? MatchedAt, Guid? MatchedNoticeId);
