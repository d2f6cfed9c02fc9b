using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Referral.Referrals;

public static class ReferralEndpoints
{
    /// <summary>Who may read referrals (each only those of their scope).</summary>
    public static readonly string[] Readers =
        [ReliefRoles.PointStaff, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    private static readonly string Scope = DataScope.Predicate(new ScopeColumns(
        County: "county_code", ServicePoint: "service_point_code", ReceivingStationCounty: "receiving_station_county"));

    public static IEndpointRouteBuilder MapReferralEndpoints(this IEndpointRouteBuilder app)
    {
        var referrals = app.MapGroup("/api/referrals").WithTags("Referrals")
            .RequireAuthorization(policy => policy.RequireRole(Readers));
        referrals.MapGet("/{id:guid}", GetReferral);
        referrals.MapGet("/", FindReferralsByCase);
        return app;
    }

    private const string SelectColumns = """
        select id, case_id, county_code, service_point_code, receiving_station_county, status, sent_at, trace_id
        from referrals
        """;

    public static async Task<Results<Ok<ReferralRecord>, NotFound>> GetReferral(
        Guid id, HttpContext http, NpgsqlDataSource db, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var referral = await connection.QuerySingleOrDefaultAsync<ReferralRecord>(new CommandDefinition(
            $"{SelectColumns} where id = @Id and {Scope}", DataScope.Parameters(user, new { Id = id }), cancellationToken: cancellationToken));
        if (referral is null)
        {
            await audit.RecordAsync(user, new AuditEntry("read_referral", AuditEntry.Refused, id.ToString()), cancellationToken);
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(referral);
    }

    /// <summary>The referrals of a case the reader may see; none visible is 404, as for a single referral.</summary>
    public static async Task<Results<Ok<IReadOnlyList<ReferralRecord>>, NotFound>> FindReferralsByCase(
        Guid caseId, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var referrals = (await connection.QueryAsync<ReferralRecord>(new CommandDefinition(
            $"{SelectColumns} where case_id = @CaseId and {Scope}", DataScope.Parameters(user, new { CaseId = caseId }),
            cancellationToken: cancellationToken))).AsList();
        return referrals.Count == 0 ? TypedResults.NotFound() : TypedResults.Ok<IReadOnlyList<ReferralRecord>>(referrals);
    }
}

public sealed record ReferralRecord(Guid Id, Guid CaseId, string CountyCode, string ServicePointCode,
    string ReceivingStationCounty, string Status, DateTime SentAt, string? TraceId);
