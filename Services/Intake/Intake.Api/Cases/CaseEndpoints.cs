using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.Intake.Contracts;
using Relief.Intake.ServicePoints;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Http;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.Intake.Cases;

public static class CaseEndpoints
{
    /// <summary>Who may register cases (each within their own scope, see <see cref="RegistrationScope"/>).</summary>
    public static readonly string[] Registrars =
        [ReliefRoles.PointStaff, ReliefRoles.HotlineOperator, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    /// <summary>Who may read cases (each only the cases of their scope).</summary>
    public static readonly string[] Readers =
        [ReliefRoles.PointStaff, ReliefRoles.HotlineOperator, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    /// <summary>Who may read an identity document in full, with a stated purpose (PIPL art. 28).</summary>
    public static readonly string[] IdentityReaders =
        [ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    /// <summary>The rows of <c>cases</c> a user may see.</summary>
    public static readonly string Scope = DataScope.Predicate(new ScopeColumns(
        County: "county_code", ServicePoint: "service_point_code", ReceivingStationCounty: "referred_to_station_county", Channel: "channel"));

    public static IEndpointRouteBuilder MapCaseEndpoints(this IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/api/cases").WithTags("Cases");
        cases.MapPost("/", RegisterCase).Validate<RegisterCaseRequest>()
            .RequireAuthorization(policy => policy.RequireRole(Registrars));
        cases.MapGet("/", CaseReading.ListCases)
            .RequireAuthorization(policy => policy.RequireRole(Readers));
        cases.MapGet("/{id:guid}", CaseReading.GetCase)
            .RequireAuthorization(policy => policy.RequireRole(Readers));
        cases.MapGet("/{id:guid}/record", CaseUpdate.GetRecordAsync)
            .RequireAuthorization(policy => policy.RequireRole(IdentityConfirmation.Confirmers));
        cases.MapPut("/{id:guid}", CaseUpdate.UpdateAsync).Validate<UpdateCaseRequest>()
            .RequireAuthorization(policy => policy.RequireRole(IdentityConfirmation.Confirmers));
        cases.MapPost("/{id:guid}/identity", IdentityConfirmation.ConfirmAsync)
            .RequireAuthorization(policy => policy.RequireRole(IdentityConfirmation.Confirmers));
        cases.MapPost("/{id:guid}/close", CaseClosing.CloseAsync)
            .RequireAuthorization(policy => policy.RequireRole(CaseClosing.Closers));
        cases.MapGet("/{id:guid}/id-number", RevealIdNumber)
            .RequireAuthorization(policy => policy.RequireRole(IdentityReaders));
        // POST, so the number travels in the body and never in a URL, an access log or a trace.
        cases.MapPost("/find-by-id-number", FindByIdNumber).Validate<FindByIdNumberRequest>()
            .RequireAuthorization(policy => policy.RequireRole(Readers));
        return app;
    }

    public static async Task<Results<Created<RegisteredCase>, ProblemHttpResult, ValidationProblem>> RegisterCase(
        RegisterCaseRequest request, HttpContext http, CaseRegistration registration, ServicePointDirectory points, AuditLog audit,
        NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        if (RegistrationScope.Refusal(user, request) is { } refusal)
        {
            await audit.RecordAsync(user, new AuditEntry("register_case", AuditEntry.Refused), cancellationToken);
            return TypedResults.Problem(refusal, statusCode: StatusCodes.Status403Forbidden, title: "Outside your scope");
        }

        if (RegistrationPoint.Refusal(await points.FindAsync(request.ServicePointCode!, cancellationToken), request) is { } pointErrors)
        {
            return TypedResults.ValidationProblem(pointErrors);
        }

        var key = http.Request.Headers[IdempotencyKeyHeader].ToString();
        if (key.Length > 100 || key.Any(char.IsControl))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [IdempotencyKeyHeader] = ["Idempotency-Key 最长 100 个字符，不含控制字符 / at most 100 characters, no control characters"],
            });
        }

        // The request as the server understood it: a retry must be the same request to get the first answer.
        var idempotency = key.Length == 0 ? ((string, byte[])?)null
            : (key, SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request)));
        try
        {
            var registered = await registration.RegisterAsync(request, user, idempotency, cancellationToken);
            return TypedResults.Created($"/api/cases/{registered.Id}", registered);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "idempotency_keys_pkey")
        {
            // A retry (or a double click): the first submit's answer, and nothing new was kept.
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            var first = await connection.QuerySingleAsync<EarlierAnswer>(new CommandDefinition(SelectEarlierAnswer,
                new { user.Subject, key }, cancellationToken: cancellationToken));
            if (!first.RequestHash.AsSpan().SequenceEqual(idempotency!.Value.Item2))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title:
                    "这个 Idempotency-Key 已用于另一份登记 / this Idempotency-Key was used for a different registration");
            }

            http.Response.Headers["Idempotent-Replayed"] = "true";
            return TypedResults.Created($"/api/cases/{first.Id}", new RegisteredCase(first.Id, first.CaseNumber,
                new DateTimeOffset(DateTime.SpecifyKind(first.RegisteredAt, DateTimeKind.Utc)), first.TraceId, first.PossibleDuplicateOf));
        }
    }

    /// <summary>A client's key for one registration: the same key again returns the first answer (IETF draft "Idempotency-Key").</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private const string SelectEarlierAnswer = """
        select k.request_hash, c.id, c.case_number, c.registered_at, c.trace_id, c.possible_duplicate_of
        from idempotency_keys k join cases c on c.id = k.case_id
        where k.registered_by = @Subject and k.key = @key
        """;

    private sealed class EarlierAnswer
    {
        public byte[] RequestHash { get; init; } = [];
        public Guid Id { get; init; }
        public string CaseNumber { get; init; } = "";
        public DateTime RegisteredAt { get; init; }
        public string? TraceId { get; init; }
        public string? PossibleDuplicateOf { get; init; }
    }

    private static readonly string SelectByIdNumberHash =
        $"{CaseReading.SelectSummaries} where id_number_hash = any(@Hashes) and {Scope} order by registered_at desc limit 50";

    /// <summary>
    /// The cases in the reader's scope registered with this identity document: the keyed hash finds them without
    /// decrypting anything, so staff see at once that a person has been helped before. Audited, since the answer
    /// says something about a person.
    /// </summary>
    public static async Task<Results<Ok<IReadOnlyList<CaseSummary>>, NotFound>> FindByIdNumber(
        FindByIdNumberRequest request, HttpContext http, NpgsqlDataSource db, PersonalDataProtector protector, AuditLog audit,
        CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        // Under every lookup key still configured: cases hashed before the key rotated are found too.
        var hashes = protector.LookupHashes(ResidentIdNumber.Normalize(request.IdNumber)!);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CaseReading.CaseRow>(new CommandDefinition(
            SelectByIdNumberHash, DataScope.Parameters(user, new { Hashes = hashes }), cancellationToken: cancellationToken));
        var found = rows.Select(row => row.ToSummary(user)).ToList();
        await AuditLog.RecordAsync(connection, null, user, new AuditEntry("find_by_id_number",
            found.Count == 0 ? AuditEntry.Refused : AuditEntry.Succeeded, string.Join(' ', found.Select(c => c.Id))), cancellationToken);
        // None in scope is 404, as for the other lists: nobody learns of cases outside their scope.
        return found.Count == 0 ? TypedResults.NotFound() : TypedResults.Ok<IReadOnlyList<CaseSummary>>(found);
    }

    private static readonly string SelectSealedIdNumber = $"""
        select id_number_key_id, id_number_sealed from cases
        where id = @Id and id_number_sealed is not null and {Scope}
        """;

    /// <summary>
    /// The full identity document number, for a stated purpose; every read is in the audit log. Not in scope, or
    /// no number on record: 404.
    /// </summary>
    public static async Task<Results<Ok<RevealedIdNumber>, NotFound, ValidationProblem>> RevealIdNumber(
        Guid id, string? purpose, HttpContext http, NpgsqlDataSource db, PersonalDataProtector protector, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(purpose) || purpose.Trim().Length is < 4 or > 200)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["purpose"] = ["State why you need the full number (4 to 200 characters); it is written to the audit log."],
            });
        }

        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var sealedNumber = await connection.QuerySingleOrDefaultAsync<SealedIdNumber>(new CommandDefinition(
            SelectSealedIdNumber, DataScope.Parameters(user, new { Id = id }), cancellationToken: cancellationToken));
        if (sealedNumber is null)
        {
            await AuditLog.RecordAsync(connection, null, user, new AuditEntry("reveal_id_number", AuditEntry.Refused, id.ToString(), purpose.Trim()), cancellationToken);
            return TypedResults.NotFound();
        }

        // The read is recorded before the value leaves: no audit entry, no number.
        await AuditLog.RecordAsync(connection, null, user, new AuditEntry("reveal_id_number", AuditEntry.Succeeded, id.ToString(), purpose.Trim()), cancellationToken);
        return TypedResults.Ok(new RevealedIdNumber(id, protector.Open(new SealedValue(sealedNumber.IdNumberKeyId, sealedNumber.IdNumberSealed), id)));
    }

    private sealed record SealedIdNumber(string IdNumberKeyId, byte[] IdNumberSealed);
}

/// <summary>The new case: its id, and the number staff read aloud (county-date-sequence, e.g. 140802-20261129-0007).</summary>
public sealed record RegisteredCase(Guid Id, string CaseNumber, DateTimeOffset RegisteredAt, string? TraceId,
    /// <summary>The case number of the same person registered at the same point minutes before, for staff to look at.</summary>
    string? PossibleDuplicateOf = null);

public sealed record RevealedIdNumber(Guid CaseId, string IdNumber);
