using System.Data.Common;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Referral.Extensions;

/// <summary>Stay extensions as the approval queue and a referral's page show them.</summary>
public static class StayExtensionReading
{
    /// <summary>
    /// The extensions a user may see and decide: a county officer those of their county's station (where the person
    /// stays), the city all; station staff those of their own station.
    /// </summary>
    public static readonly string Scope = DataScope.Predicate(new ScopeColumns(
        County: "r.receiving_station_county", ServicePoint: "r.service_point_code", ReceivingStationCounty: "r.receiving_station_county"));

    private const string SelectExtensions = """
        select e.id, e.referral_id, r.case_id, c.case_number, r.receiving_station_county, e.days, e.reason, e.status,
               e.requested_at, e.requested_by, e.decided_at, e.decided_by, e.decision_comment,
               e.requested_by_name, e.requested_by_office, e.decided_by_name, e.decided_by_office
        from stay_extensions e join referrals r on r.id = e.referral_id left join cases c on c.id = r.case_id
        """;

    public static readonly IReadOnlyDictionary<string, string[]> Statuses = new Dictionary<string, string[]>
    {
        ["pending"] = ["pending"],
        ["approved"] = ["approved"],
        ["refused"] = ["refused"],
        ["all"] = ["pending", "approved", "refused"],
    };

    /// <summary>How many decided extensions a list holds at most; those waiting for a decision are never cut off.</summary>
    public const int DecidedLimit = 500;

    /// <summary>The approval queue: extensions waiting for a decision (or decided), the longest waiting first.</summary>
    public static async Task<Results<Ok<IReadOnlyList<StayExtension>>, ValidationProblem>> ListAsync(
        string? status, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var which = status ?? "pending";
        if (!Statuses.TryGetValue(which, out var statuses))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["status"] = ["状态为 pending、approved、refused 或 all / the status is pending, approved, refused or all"],
            });
        }

        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<StayExtension>(new CommandDefinition(
            $"{SelectExtensions} where e.status = any(@Statuses) and {Scope} order by e.requested_at, e.id limit @Limit",
            DataScope.Parameters(user, new { Statuses = statuses, Limit = which == "pending" ? (int?)null : DecidedLimit }),
            cancellationToken: cancellationToken));
        return TypedResults.Ok<IReadOnlyList<StayExtension>>(rows.AsList());
    }

    /// <summary>The extensions asked for a referral, oldest first.</summary>
    public static async Task<IReadOnlyList<StayExtension>> OfReferralAsync(DbConnection connection, Guid referralId, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<StayExtension>(new CommandDefinition(
            $"{SelectExtensions} where e.referral_id = @ReferralId order by e.requested_at, e.id", new { ReferralId = referralId },
            cancellationToken: cancellationToken))).AsList();

    /// <summary>One extension in the user's scope, or null.</summary>
    public static async Task<StayExtension?> FindAsync(DbConnection connection, ReliefUser user, Guid id, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<StayExtension>(new CommandDefinition(
            $"{SelectExtensions} where e.id = @Id and {Scope}", DataScope.Parameters(user, new { Id = id }), cancellationToken: cancellationToken));
}

/// <summary>
/// A stay beyond the care days (10 by the national rules) asked for by the station, approved or refused by the county
/// (or the city). <c>RequestedBy</c> and <c>DecidedBy</c> are the users' ids; the names and offices beside them are who
/// that was as people read it, null on requests recorded before names were kept.
/// </summary>
public sealed record StayExtension(
    Guid Id, Guid ReferralId, Guid CaseId, string? CaseNumber, string ReceivingStationCounty, int Days, string Reason, string Status,
    DateTime RequestedAt, string RequestedBy, DateTime? DecidedAt, string? DecidedBy, string? DecisionComment,
    string? RequestedByName, string? RequestedByOffice, string? DecidedByName, string? DecidedByOffice);
