using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.Referral.Contracts;
using Relief.Referral.Referrals;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Http;

namespace Relief.Referral.ReliefLedger;

/// <summary>
/// 救助台账: the relief given to the person of a case — food, a travel voucher, lodging, an escort home, a short fare —
/// recorded once each (the client's id makes a retry the same entry), voidable with a reason, linked to the case's open
/// referral if there is one. Events name the kind and amount, and a voucher's province at most: where a person is going is theirs.
/// </summary>
public static class ReliefLedgerEndpoints
{
    /// <summary>Point staff of the case's point, station staff of the station that holds it, its county, the city.</summary>
    public static readonly string[] Recorders =
        [ReliefRoles.PointStaff, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    public static IEndpointRouteBuilder MapReliefLedgerEndpoints(this IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/api/cases/{caseId:guid}/relief").WithTags("Relief ledger")
            .RequireAuthorization(policy => policy.RequireRole(Recorders));
        cases.MapGet("/", ListAsync);
        cases.MapPut("/{actionId:guid}", RecordAsync).Validate<ReliefActionRequest>();
        app.MapPost("/api/relief/{actionId:guid}/void", VoidAsync).WithTags("Relief ledger").Validate<VoidReliefActionRequest>()
            .RequireAuthorization(policy => policy.RequireRole(Recorders));
        return app;
    }

    private static readonly string SelectCase = $"select c.id, c.county_code, c.service_point_code from cases c where c.id = @CaseId and {CaseScope.Predicate}";

    private const string SelectActions = """
        select a.id, a.case_id, a.referral_id, a.kind, a.amount, a.details::text as details, a.receipt_signed, a.recorded_at,
               a.recorded_by, a.voided_at, a.voided_by, a.void_reason, a.county_code,
               a.recorded_by_name, a.recorded_by_office, a.voided_by_name, a.voided_by_office
        from relief_actions a
        """;

    private static readonly string SelectActionInScope = $"{SelectActions} join cases c on c.id = a.case_id where a.id = @Id and {CaseScope.Predicate}";

    private const string InsertAction = """
        insert into relief_actions (id, case_id, referral_id, county_code, service_point_code, kind, amount, details,
                                    receipt_signed, recorded_at, recorded_by, recorded_by_office, recorded_by_name)
        values (@Id, @CaseId, (select r.id from referrals r where r.case_id = @CaseId and r.status = any(@Open)),
                @CountyCode, @ServicePointCode, @Kind, @Amount, @Details::jsonb, @ReceiptSigned, @Now, @By, @Office, @ByName)
        """;

    // What makes a retry the same entry: the case, kind, amount, receipt and particulars; not who sent it or when.
    private const string SameContent = """
        select a.case_id = @CaseId and a.kind = @Kind and a.amount is not distinct from @Amount::numeric
               and a.receipt_signed = @ReceiptSigned and a.details = @Details::jsonb
        from relief_actions a where a.id = @Id
        """;

    private const string VoidAction = """
        update relief_actions set voided_at = @Now, voided_by = @By, voided_by_name = @ByName, voided_by_office = @Office, void_reason = @Reason
        where id = @Id and voided_at is null
        """;

    private const string ActionKey = "relief_actions_pkey";

    private static readonly JsonSerializerOptions DetailsJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The case's ledger, oldest first, voided entries included (marked).</summary>
    public static async Task<Results<Ok<IReadOnlyList<ReliefAction>>, NotFound>> ListAsync(
        Guid caseId, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        if (await FindCaseAsync(connection, user, caseId, cancellationToken) is null)
        {
            return TypedResults.NotFound();
        }

        var rows = await connection.QueryAsync<ActionRow>(new CommandDefinition(
            $"{SelectActions} where a.case_id = @CaseId order by a.recorded_at, a.id", new { CaseId = caseId }, cancellationToken: cancellationToken));
        return TypedResults.Ok<IReadOnlyList<ReliefAction>>([.. rows.Select(row => row.ToAction())]);
    }

    /// <summary>Records an entry: 201 the first time, 200 for the same entry sent again, 409 for another under the same id.</summary>
    public static async Task<Results<Created<ReliefAction>, Ok<ReliefAction>, NotFound, ProblemHttpResult>> RecordAsync(
        Guid caseId, Guid actionId, ReliefActionRequest request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var @case = await FindCaseAsync(connection, user, caseId, cancellationToken);
        if (@case is null)
        {
            return TypedResults.NotFound();
        }

        var now = clock.GetUtcNow();
        var values = new
        {
            Id = actionId, CaseId = caseId, @case.CountyCode, @case.ServicePointCode, request.Kind, request.Amount,
            Details = JsonSerializer.Serialize(request.Details ?? new ReliefDetails(), DetailsJson),
            ReceiptSigned = request.ReceiptSigned ?? false, Now = now, By = user.Subject, ByName = user.DisplayName, Office = user.OfficeOrNull,
            Open = ReferralStatus.Open,
        };
        var unit = units.Begin();
        unit.Write(InsertAction, values);
        AuditLog.Record(unit, user, new AuditEntry("record_relief", AuditEntry.Succeeded, actionId.ToString(), request.Kind));
        unit.Publish(new ReliefActionRecorded
        {
            ActionId = actionId, CaseId = caseId, CountyCode = @case.CountyCode, Kind = request.Kind!, Amount = request.Amount, At = now,
            DestinationProvince = DestinationProvince.Of(request.Kind!, request.Details?.Destination),
        });
        try
        {
            await unit.CommitAsync(CancellationToken.None);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == ActionKey)
        {
            // Sent again (a retry, a double tap): the first entry stands, and nothing new was written or published.
            var same = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(SameContent, values, cancellationToken: cancellationToken));
            if (!same)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                    title: "此编号已用于另一条救助记录 / this id is already used for another ledger entry");
            }

            return TypedResults.Ok(await ReadAsync(connection, user, actionId, cancellationToken));
        }

        return TypedResults.Created($"/api/cases/{caseId}/relief/{actionId}", await ReadAsync(connection, user, actionId, cancellationToken));
    }

    /// <summary>Voids an entry with a reason; the entry stays. Voiding it again with the same reason answers the same.</summary>
    public static async Task<Results<Ok<ReliefAction>, NotFound, ProblemHttpResult>> VoidAsync(
        Guid actionId, VoidReliefActionRequest request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var entry = await connection.QuerySingleOrDefaultAsync<ActionRow>(new CommandDefinition(
            SelectActionInScope, DataScope.Parameters(user, new { Id = actionId }), cancellationToken: cancellationToken));
        if (entry is null)
        {
            return TypedResults.NotFound();
        }

        var now = clock.GetUtcNow();
        var unit = units.Begin();
        unit.WriteOne(VoidAction, new
        {
            Id = actionId, Now = now, By = user.Subject, ByName = user.DisplayName, Office = user.OfficeOrNull, Reason = request.Reason!.Trim(),
        });
        AuditLog.Record(unit, user, new AuditEntry("void_relief", AuditEntry.Succeeded, actionId.ToString()));
        unit.Publish(new ReliefActionVoided { ActionId = actionId, CaseId = entry.CaseId, CountyCode = entry.CountyCode, Kind = entry.Kind, At = now });
        try
        {
            await unit.CommitAsync(CancellationToken.None);
        }
        catch (StaleVersionException)
        {
            var voided = await ReadAsync(connection, user, actionId, cancellationToken);
            return voided.VoidReason == request.Reason!.Trim()
                ? TypedResults.Ok(voided)
                : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "此记录已作废 / the entry is already void");
        }

        return TypedResults.Ok(await ReadAsync(connection, user, actionId, cancellationToken));
    }

    private static Task<CaseRow?> FindCaseAsync(NpgsqlConnection connection, ReliefUser user, Guid caseId, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<CaseRow>(new CommandDefinition(
            SelectCase, DataScope.Parameters(user, new { CaseId = caseId }), cancellationToken: cancellationToken));

    private static async Task<ReliefAction> ReadAsync(NpgsqlConnection connection, ReliefUser user, Guid actionId, CancellationToken cancellationToken) =>
        (await connection.QuerySingleAsync<ActionRow>(new CommandDefinition(
            SelectActionInScope, DataScope.Parameters(user, new { Id = actionId }), cancellationToken: cancellationToken))).ToAction();

    private sealed record CaseRow(Guid Id, string CountyCode, string ServicePointCode);

    private sealed class ActionRow
    {
        public Guid Id { get; init; }
        public Guid CaseId { get; init; }
        public Guid? ReferralId { get; init; }
        public string Kind { get; init; } = "";
        public decimal? Amount { get; init; }
        public string Details { get; init; } = "{}";
        public bool ReceiptSigned { get; init; }
        public DateTime RecordedAt { get; init; }
        public string RecordedBy { get; init; } = "";
        public DateTime? VoidedAt { get; init; }
        public string? VoidedBy { get; init; }
        public string? VoidReason { get; init; }
        public string CountyCode { get; init; } = "";
        public string? RecordedByName { get; init; }
        public string? RecordedByOffice { get; init; }
        public string? VoidedByName { get; init; }
        public string? VoidedByOffice { get; init; }

        public ReliefAction ToAction() => new(Id, CaseId, ReferralId, Kind, Amount, ReferralReading.Json(Details)!.Value, ReceiptSigned,
            RecordedAt, RecordedBy, VoidedAt, VoidedBy, VoidReason)
        {
            RecordedByName = RecordedByName, RecordedByOffice = RecordedByOffice, VoidedByName = VoidedByName, VoidedByOffice = VoidedByOffice,
        };
    }
}

/// <summary>
/// An entry of the relief ledger. <c>RecordedBy</c> and <c>VoidedBy</c> are the users' ids (for audit); the names and
/// offices beside them are who that was as people read it, null on entries written before names were kept.
/// </summary>
public sealed record ReliefAction(
    Guid Id, Guid CaseId, Guid? ReferralId, string Kind, decimal? Amount, JsonElement Details, bool ReceiptSigned,
    DateTime RecordedAt, string RecordedBy, DateTime? VoidedAt, string? VoidedBy, string? VoidReason)
{
    public string? RecordedByName { get; init; }
    public string? RecordedByOffice { get; init; }
    public string? VoidedByName { get; init; }
    public string? VoidedByOffice { get; init; }
}
