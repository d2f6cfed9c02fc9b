using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Notification.DutyDesk;

public static class NotificationEndpoints
{
    /// <summary>Who may read duty-desk notifications (each only those of their scope).</summary>
    public static readonly string[] Readers = [ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    private static readonly string Scope = DataScope.Predicate(new ScopeColumns(County: "county_code", ReceivingStationCounty: "recipient_county"));

    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/api/notifications").WithTags("Notifications")
            .RequireAuthorization(policy => policy.RequireRole(Readers));
        notifications.MapGet("/", FindNotificationsByCase);
        return app;
    }

    private static readonly string SelectByCase = $"""
        select id, referral_id, case_id, county_code, recipient_kind, recipient_county, channel, message, created_at, trace_id
        from notifications where case_id = @CaseId and {Scope}
        order by created_at
        """;

    /// <summary>The notifications of a case the reader may see; none visible is 404.</summary>
    public static async Task<Results<Ok<IReadOnlyList<NotificationRecord>>, NotFound>> FindNotificationsByCase(
        Guid caseId, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var notifications = (await connection.QueryAsync<NotificationRecord>(new CommandDefinition(
            SelectByCase, DataScope.Parameters(user, new { CaseId = caseId }), cancellationToken: cancellationToken))).AsList();
        return notifications.Count == 0 ? TypedResults.NotFound() : TypedResults.Ok<IReadOnlyList<NotificationRecord>>(notifications);
    }
}

public sealed record NotificationRecord(Guid Id, Guid ReferralId, Guid CaseId, string CountyCode, string RecipientKind, string RecipientCounty, string Channel,
    string Message, DateTime CreatedAt, string? TraceId);
