using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Http;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Notification.DutyDesk;

/// <summary>
/// The desk a user reads: their own office's, as their token names it (its kind, county and code). A desk holds the
/// items addressed to offices of its kind and county (one station, county office or bureau per county) — and for service
/// points and the hotline, those addressed to its code.
/// </summary>
public sealed record DeskAddress(string Kind, string County, string Office)
{
    /// <summary>Who has a desk: everyone who works cases or oversees them (auditors read the audit log instead).</summary>
    public static readonly string[] Readers =
        [ReliefRoles.PointStaff, ReliefRoles.HotlineOperator, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    /// <summary>The fragment every desk query adds; recipient_county is char(6), so the parameter is too (the index is used).</summary>
    public const string Predicate =
        "recipient_kind = @DeskKind and recipient_county = @DeskCounty::char(6) and (recipient_office is null or recipient_office = @DeskOffice)";

    /// <summary>The user's desk, or null when their office is not of a kind their role works at (then they have none).</summary>
    public static DeskAddress? Of(ReliefUser user) =>
        Readers.Contains(user.Role) && OfficeKinds.Allows(user.Role, user.OfficeKind) && user.County.Length == 6 && user.Office.Length > 0
            ? new DeskAddress(user.OfficeKind, user.County, user.Office)
            : null;

    public object Parameters(object? more = null)
    {
        var parameters = new DynamicParameters(more);
        parameters.Add("DeskKind", Kind);
        parameters.Add("DeskCounty", County);
        parameters.Add("DeskOffice", Office);
        return parameters;
    }
}

/// <summary>One item of a desk's feed, as the list and the live stream give it.</summary>
public sealed record DeskFeedItem(long FeedId, Guid Id, string Kind, Guid CaseId, Guid? ReferralId, string? CaseNumber, string CountyCode,
    string Title, string Message, string Link, DateTime CreatedAt, string? DeadlineKind, int? Level);

public sealed record DeskFeedPage(IReadOnlyList<DeskFeedItem> Items, long Unread, long LastReadId);

public sealed record UnreadCount(long Unread);

/// <summary>Marks the desk read up to an item (its feed id), for this user.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MarkReadRequest(long? UpTo);

public sealed class MarkReadRequestValidator : AbstractValidator<MarkReadRequest>
{
    public MarkReadRequestValidator() =>
        RuleFor(r => r.UpTo).NotNull().WithMessage("请填写已读到的条目 / upTo (a feed id) is required")
            .GreaterThanOrEqualTo(0).WithMessage("条目编号不能为负 / upTo cannot be negative");
}

public static class DeskFeedEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    /// <summary>A comment this often keeps proxies and the browser from closing a quiet stream.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private const string Columns = """
        feed_id, id, kind, case_id, referral_id, case_number, county_code, title, message, link, created_at, deadline_kind, level
        """;

    private static readonly string SelectPage = $"""
        select {Columns} from notifications
        where {DeskAddress.Predicate} and (@Before::bigint is null or feed_id < @Before)
        order by feed_id desc limit @Limit
        """;

    private static readonly string SelectAfter = $"""
        select {Columns} from notifications
        where {DeskAddress.Predicate} and feed_id > @After
        order by feed_id limit @Limit
        """;

    private static readonly string SelectNewest = $"select coalesce(max(feed_id), 0) from notifications where {DeskAddress.Predicate}";

    private static readonly string SelectUnread = $"""
        select coalesce((select last_read_id from desk_reads where user_subject = @Subject and office_code = @DeskOffice), 0) as last_read_id,
               (select count(*) from notifications
                where {DeskAddress.Predicate}
                  and feed_id > coalesce((select last_read_id from desk_reads where user_subject = @Subject and office_code = @DeskOffice), 0)) as unread
        """;

    /// <summary>Never past the newest item there is: a mark ahead of it would hide items not yet posted.</summary>
    private static readonly string MarkRead = $"""
        insert into desk_reads (user_subject, office_code, last_read_id, read_at)
        values (@Subject, @DeskOffice, least(@UpTo, (select coalesce(max(feed_id), 0) from notifications where {DeskAddress.Predicate})), @ReadAt)
        on conflict (user_subject, office_code) do update set
            last_read_id = greatest(desk_reads.last_read_id, excluded.last_read_id), read_at = excluded.read_at
        """;

    // Chinese as itself in the event's data (readable when ops look at a stream, a third of the size); HTML-sensitive
    // characters stay escaped.
    private static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    public static IEndpointRouteBuilder MapDeskFeedEndpoints(this IEndpointRouteBuilder app)
    {
        var desk = app.MapGroup("/api/desk").WithTags("Duty desk")
            .RequireAuthorization(policy => policy.RequireRole(DeskAddress.Readers));
        desk.MapGet("/items", ListAsync);
        desk.MapGet("/stream", StreamAsync);
        desk.MapPost("/read", MarkReadAsync).Validate<MarkReadRequest>();
        desk.MapGet("/unread", UnreadAsync);
        return app;
    }

    private sealed record UnreadRow(long LastReadId, long Unread);

    /// <summary>The desk's items, newest first, a page before <paramref name="before"/>; with the user's unread count.</summary>
    public static async Task<Results<Ok<DeskFeedPage>, ValidationProblem, ForbidHttpResult>> ListAsync(
        long? before, int? limit, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        if (DeskAddress.Of(user) is not { } desk)
        {
            return TypedResults.Forbid();
        }

        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"每页 1 到 {MaxLimit} 条 / limit is between 1 and {MaxLimit}"];
        }

        if (before is < 1)
        {
            errors["before"] = ["条目编号从 1 开始 / before is a feed id, 1 or more"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var items = (await connection.QueryAsync<DeskFeedItem>(new CommandDefinition(SelectPage,
            desk.Parameters(new { Before = before, Limit = limit ?? DefaultLimit }), cancellationToken: cancellationToken))).AsList();
        var unread = await connection.QuerySingleAsync<UnreadRow>(new CommandDefinition(SelectUnread,
            desk.Parameters(new { user.Subject }), cancellationToken: cancellationToken));
        return TypedResults.Ok(new DeskFeedPage(items, unread.Unread, unread.LastReadId));
    }

    public static async Task<Results<Ok<UnreadCount>, ForbidHttpResult>> UnreadAsync(
        HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        if (DeskAddress.Of(user) is not { } desk)
        {
            return TypedResults.Forbid();
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var unread = await connection.QuerySingleAsync<UnreadRow>(new CommandDefinition(SelectUnread,
            desk.Parameters(new { user.Subject }), cancellationToken: cancellationToken));
        return TypedResults.Ok(new UnreadCount(unread.Unread));
    }

    public static async Task<Results<NoContent, ForbidHttpResult>> MarkReadAsync(
        MarkReadRequest request, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        if (DeskAddress.Of(user) is not { } desk)
        {
            return TypedResults.Forbid();
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(MarkRead,
            desk.Parameters(new { user.Subject, request.UpTo, ReadAt = clock.GetUtcNow() }), cancellationToken: cancellationToken));
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The desk as Server-Sent Events: after a reconnect (<c>Last-Event-ID</c>, or <c>?lastEventId=</c> where a client
    /// cannot set headers) the items it missed, oldest first, then each new item as it is posted; without one, new items
    /// only. Each wake-up is one indexed read of the desk after the last id sent.
    /// </summary>
    public static async Task<Results<EmptyHttpResult, ValidationProblem, ForbidHttpResult>> StreamAsync(
        HttpContext http, NpgsqlDataSource db, DeskFeedSignal signal, string? lastEventId = null)
    {
        var user = ReliefUser.From(http.User);
        if (DeskAddress.Of(user) is not { } desk)
        {
            return TypedResults.Forbid();
        }

        var resumeFrom = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? lastEventId;
        long? last = null;
        if (!string.IsNullOrEmpty(resumeFrom))
        {
            if (!long.TryParse(resumeFrom, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["lastEventId"] = ["Last-Event-ID 须为条目编号（非负整数） / Last-Event-ID must be a feed id (a whole number, 0 or more)"],
                });
            }

            last = parsed;
        }

        var aborted = http.RequestAborted;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // Reverse proxies (nginx) would otherwise hold events back in their buffers.
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            if (last is null)
            {
                // Before the headers go out: a client that has them knows every item posted after is coming.
                await using var connection = await db.OpenConnectionAsync(aborted);
                last = await connection.ExecuteScalarAsync<long>(new CommandDefinition(SelectNewest, desk.Parameters(), cancellationToken: aborted));
            }

            await response.StartAsync(aborted);
            await response.Body.FlushAsync(aborted);
            var after = last.Value;
            while (!aborted.IsCancellationRequested)
            {
                // Taken before the read: an item posted after it wakes this wait, whether the read saw it or not.
                var posted = signal.NextAsync(desk.Kind, desk.County);
                var items = await ReadAfterAsync(db, desk, after, aborted);
                foreach (var item in items)
                {
                    await response.WriteAsync(Event(item), aborted);
                    after = item.FeedId;
                }

                if (items.Count > 0)
                {
                    await response.Body.FlushAsync(aborted);
                }

                if (items.Count == MaxLimit)
                {
                    continue;
                }

                try
                {
                    await posted.WaitAsync(KeepAlive, aborted);
                }
                catch (TimeoutException)
                {
                    // Quiet for a while: a comment keeps the connection open, and the next read catches anything a lost
                    // notification did not announce.
                    await response.WriteAsync(": keep-alive\n\n", aborted);
                    await response.Body.FlushAsync(aborted);
                }
            }
        }
        catch (Exception e) when (aborted.IsCancellationRequested && e is OperationCanceledException or IOException or NpgsqlException)
        {
            // The client went away (closed the page, or reconnects): the normal end of a stream, not a fault to log.
        }

        return TypedResults.Empty;
    }

    private static async Task<List<DeskFeedItem>> ReadAfterAsync(NpgsqlDataSource db, DeskAddress desk, long after, CancellationToken cancellationToken)
    {
        // Each read is a trace of its own, linked to the stream's: under the stream's request, a desk open all day would
        // grow one trace by a span per item posted, and the dashboard pays for ever-growing traces (seen in the desk-feed
        // benchmark). Clearing Activity.Current here stays in this method: the caller's context is restored on return.
        var stream = Activity.Current;
        Activity.Current = null;
        using var activity = ReliefTelemetry.ActivitySource.StartActivity("desk feed read", ActivityKind.Internal, parentContext: default,
            links: stream is null ? null : [new ActivityLink(stream.Context)]);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DeskFeedItem>(new CommandDefinition(SelectAfter,
            desk.Parameters(new { After = after, Limit = MaxLimit }), cancellationToken: cancellationToken))).AsList();
    }

    private static string Event(DeskFeedItem item)
    {
        var data = JsonSerializer.Serialize(item, EventJson);
        return new StringBuilder()
            .Append("id: ").Append(item.FeedId.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("event: desk-item\n")
            .Append("data: ").Append(data).Append("\n\n")
            .ToString();
    }
}
