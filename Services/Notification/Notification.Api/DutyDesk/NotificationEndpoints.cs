using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Relief.Notification.DutyDesk;

public static class NotificationEndpoints
{
    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/api/notifications").WithTags("Notifications");
        notifications.MapGet("/", FindNotificationsByCase);
        return app;
    }

    private const string SelectByCase = """
        select id, referral_id, case_id, recipient, channel, message, created_at, trace_id
        from notifications where case_id = @CaseId
        order by created_at
        """;

    public static async Task<Ok<IReadOnlyList<NotificationRecord>>> FindNotificationsByCase(Guid caseId, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var notifications = await connection.QueryAsync<NotificationRecord>(
            new CommandDefinition(SelectByCase, new { CaseId = caseId }, cancellationToken: cancellationToken));
        return TypedResults.Ok<IReadOnlyList<NotificationRecord>>(notifications.AsList());
    }
}

public sealed record NotificationRecord(Guid Id, Guid ReferralId, Guid CaseId, string Recipient, string Channel,
    string Message, DateTime CreatedAt, string? TraceId);
