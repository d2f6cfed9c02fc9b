using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Notification.DutyDesk;

public static class NotificationEndpoints
{
    /// <summary>Who may read duty-desk notifications (each only those of their scope).</summary>
    public static readonly string[] Readers = [ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    /// <summary>
    /// A county officer sees their county's cases; a station's staff what was put on their station's desk, and a county
    /// officer also what was escalated to their office's desk about another county's case (a referral transferred to
    /// their county's station). Each desk is addressed by what it is — its office kind and county.
    /// </summary>
    private static readonly string Scope =
        $"({DataScope.Predicate(new ScopeColumns(County: "county_code"))} or {Desk(ReliefRoles.StationStaff, OfficeKinds.ReliefStation)} "
        + $"or {Desk(ReliefRoles.CountyOfficer, OfficeKinds.CountyOffice)})";

    private static string Desk(string role, string officeKind) =>
        $"(@ScopeRole = '{role}' and @ScopeOfficeKind = '{officeKind}' and recipient_kind = '{officeKind}' and recipient_county = @ScopeCounty)";

    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/api/notifications").WithTags("Notifications")
            .RequireAuthorization(policy => policy.RequireRole(Readers));
        notifications.MapGet("/", FindNotificationsByCase);
        return app;
    }

    private static readonly string SelectByCase = $"""
        select id, referral_id, case_id, county_code, recipient_kind, recipient_county, channel, message, created_at, trace_id,
               kind, deadline_kind, level, feed_id, event_key, recipient_office, case_number, title, link
        from notifications where case_id = @CaseId and {Scope}
        order by feed_id
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

/// <summary>
/// A notification on a desk (<see cref="RecipientKind"/> relief_station, county_office or city_bureau, of
/// <see cref="RecipientCounty"/>, and <see cref="RecipientOffice"/> for a point's or the hotline's). <see cref="Kind"/> is one
/// of <see cref="NotificationKinds"/>; an overdue one names its deadline (acceptance, care_days) and escalation level; an
/// urgent case has no referral.
/// </summary>
public sealed record NotificationRecord(Guid Id, Guid? ReferralId, Guid CaseId, string CountyCode, string RecipientKind, string RecipientCounty, string Channel,
    string Message, DateTime CreatedAt, string? TraceId, string Kind, string? DeadlineKind, int? Level,
    long FeedId, string EventKey, string? RecipientOffice, string? CaseNumber, string Title, string Link);
