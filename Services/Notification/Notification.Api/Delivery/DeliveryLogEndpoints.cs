using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.Notification.DutyDesk;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Notification.Delivery;

/// <summary>
/// 投递记录: every delivery and its attempts, for the county officers of the offices' county and the city — a failed
/// delivery is visible here with why, next to the error log and the failed-deliveries counter.
/// </summary>
public static class DeliveryLogEndpoints
{
    public static readonly string[] Readers = [ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    public static readonly string[] Statuses = ["pending", "delivered", "failed"];

    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    private static readonly string Scope = DataScope.Predicate(new ScopeColumns(County: "d.office_county"));

    public static IEndpointRouteBuilder MapDeliveryLogEndpoints(this IEndpointRouteBuilder app)
    {
        var deliveries = app.MapGroup("/api/deliveries").WithTags("Delivery log")
            .RequireAuthorization(policy => policy.RequireRole(Readers));
        deliveries.MapGet("/", ListAsync);
        deliveries.MapGet("/{id:guid}", FindAsync);
        return app;
    }

    private const string SelectDeliveries = """
        select d.id, d.sequence, d.notification_id, d.subscription_id, d.office_code, d.office_county, d.kind, d.case_id, d.case_number,
               d.channel, d.format, d.target_display as target, d.title, d.status, d.attempts, d.next_attempt_at, d.last_error,
               d.created_at, d.delivered_at, d.failed_at
        from deliveries d
        """;

    /// <summary>
    /// The log newest first, filtered; keyset paging: <c>after</c> is the <c>next</c> of the page before (a delivery's
    /// sequence), so a page stays stable while new deliveries arrive.
    /// </summary>
    public static async Task<Results<Ok<DeliveryPage>, ValidationProblem>> ListAsync(
        string? status, string? channel, string? kind, string? office, DateTimeOffset? from, DateTimeOffset? to, string? caseNumber,
        long? after, int? limit, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not null && !Statuses.Contains(status))
        {
            errors["status"] = ["状态为 pending、delivered 或 failed / the status is pending, delivered or failed"];
        }

        if (channel is not null && !DeliveryChannel.All.Contains(channel))
        {
            errors["channel"] = ["渠道为 webhook 或 sms / the channel is webhook or sms"];
        }

        if (kind is not null && !NotificationKinds.All.Contains(kind))
        {
            errors["kind"] = [$"事件类型为 {string.Join("、", NotificationKinds.All)} 之一 / the kind is one of {string.Join(", ", NotificationKinds.All)}"];
        }

        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"每页 1 到 {MaxLimit} 条 / between 1 and {MaxLimit} per page"];
        }

        if (from is not null && to is not null && from > to)
        {
            errors["from"] = ["起始时间不能晚于结束时间 / from must not be after to"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var user = ReliefUser.From(http.User);
        var take = limit ?? DefaultLimit;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var items = (await connection.QueryAsync<DeliveryView>(new CommandDefinition($"""
            {SelectDeliveries}
            where {Scope}
              and (@Status::text is null or d.status = @Status)
              and (@Channel::text is null or d.channel = @Channel)
              and (@Kind::text is null or d.kind = @Kind)
              and (@Office::text is null or d.office_code = @Office)
              and (@From::timestamptz is null or d.created_at >= @From)
              and (@To::timestamptz is null or d.created_at < @To)
              and (@CaseNumber::text is null or d.case_number = @CaseNumber)
              and (@After::bigint is null or d.sequence < @After)
            order by d.sequence desc
            limit @Limit
            """,
            DataScope.Parameters(user, new
            {
                Status = status, Channel = channel, Kind = kind, Office = office, From = from?.ToUniversalTime(), To = to?.ToUniversalTime(), CaseNumber = caseNumber,
                After = after, Limit = take,
            }), cancellationToken: cancellationToken))).AsList();
        return TypedResults.Ok(new DeliveryPage(items, items.Count == take ? items[^1].Sequence : null));
    }

    private const string SelectAttempts = """
        select attempt, started_at, status, http_status, latency_ms, error from delivery_attempts where delivery_id = @Id order by attempt
        """;

    /// <summary>One delivery with every attempt at it; out of scope is 404.</summary>
    public static async Task<Results<Ok<DeliveryDetail>, NotFound>> FindAsync(
        Guid id, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var delivery = await connection.QuerySingleOrDefaultAsync<DeliveryView>(new CommandDefinition(
            $"{SelectDeliveries} where d.id = @Id and {Scope}", DataScope.Parameters(user, new { Id = id }), cancellationToken: cancellationToken));
        if (delivery is null)
        {
            return TypedResults.NotFound();
        }

        var attempts = await connection.QueryAsync<DeliveryAttempt>(new CommandDefinition(
            SelectAttempts, new { Id = id }, cancellationToken: cancellationToken));
        return TypedResults.Ok(new DeliveryDetail(delivery, attempts.AsList()));
    }
}

/// <summary>A page of the delivery log; <see cref="Next"/> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record DeliveryPage(IReadOnlyList<DeliveryView> Items, long? Next);

/// <summary>One delivery: of which desk item (notification) to which subscription, the masked target, and where it stands.</summary>
public sealed record DeliveryView(
    Guid Id, long Sequence, Guid NotificationId, Guid SubscriptionId, string OfficeCode, string OfficeCounty, string Kind, Guid CaseId,
    string? CaseNumber, string Channel, string? Format, string Target, string Title, string Status, int Attempts, DateTime NextAttemptAt,
    string? LastError, DateTime CreatedAt, DateTime? DeliveredAt, DateTime? FailedAt);

public sealed record DeliveryDetail(DeliveryView Delivery, IReadOnlyList<DeliveryAttempt> Attempts);

/// <summary>One attempt: when it began, its outcome, the HTTP status if any came, how long it took, why it failed.</summary>
public sealed record DeliveryAttempt(int Attempt, DateTime StartedAt, string Status, int? HttpStatus, int LatencyMs, string? Error);
