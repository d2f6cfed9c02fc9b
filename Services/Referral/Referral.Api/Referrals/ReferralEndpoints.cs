using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Relief.Referral.Referrals;

public static class ReferralEndpoints
{
    public static IEndpointRouteBuilder MapReferralEndpoints(this IEndpointRouteBuilder app)
    {
        var referrals = app.MapGroup("/api/referrals").WithTags("Referrals");
        referrals.MapGet("/{id:guid}", GetReferral);
        referrals.MapGet("/", FindReferralsByCase);
        return app;
    }

    private const string SelectColumns = """
        select id, case_id, person_id, county_code, receiving_station, status, sent_at, trace_id
        from referrals
        """;

    public static async Task<Results<Ok<ReferralRecord>, NotFound>> GetReferral(Guid id, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var referral = await connection.QuerySingleOrDefaultAsync<ReferralRecord>(
            new CommandDefinition(SelectColumns + " where id = @Id", new { Id = id }, cancellationToken: cancellationToken));
        return referral is null ? TypedResults.NotFound() : TypedResults.Ok(referral);
    }

    public static async Task<Ok<IReadOnlyList<ReferralRecord>>> FindReferralsByCase(Guid caseId, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var referrals = await connection.QueryAsync<ReferralRecord>(
            new CommandDefinition(SelectColumns + " where case_id = @CaseId", new { CaseId = caseId }, cancellationToken: cancellationToken));
        return TypedResults.Ok<IReadOnlyList<ReferralRecord>>(referrals.AsList());
    }
}

public sealed record ReferralRecord(Guid Id, Guid CaseId, Guid PersonId, string CountyCode, string ReceivingStation,
    string Status, DateTime SentAt, string? TraceId);
