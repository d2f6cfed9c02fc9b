using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using Relief.ServiceDefaults.Authentication;

namespace Relief.ServiceDefaults.Messaging;

/// <summary>
/// Where an event stands in a history stream: its time, then a rank that orders the kinds of event a source keeps in
/// different tables at the same instant, then a key unique within the rank (compared byte by byte: the SQL gives it
/// <c>collate "C"</c>). A stream is read in this order, so a page starts strictly after the last position of the one before.
/// </summary>
public readonly record struct HistoryPosition(DateTime At, int Rank, string Key)
{
    /// <summary>Before any event: nothing a source keeps happened before 1970.</summary>
    public static readonly HistoryPosition Start = new(DateTime.UnixEpoch, 0, "");

    /// <summary>The opaque cursor a client hands back: the position, not a page number, so paging is stable as rows are added.</summary>
    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"1.{At.Ticks}.{Rank}.{Key}")));

    public static bool TryDecode(string text, out HistoryPosition position)
    {
        position = Start;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(bytes).Split('.', 4);
        if (parts is not ["1", var ticks, var rank, var key]
            || !long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var at)
            || at < DateTime.MinValue.Ticks || at > DateTime.MaxValue.Ticks
            || !int.TryParse(rank, NumberStyles.None, CultureInfo.InvariantCulture, out var r))
        {
            return false;
        }

        position = new HistoryPosition(new DateTime(at, DateTimeKind.Utc), r, key);
        return true;
    }
}

/// <summary>One event of a stream as its source rebuilt it: <paramref name="Message"/> is the contract record, as published.</summary>
public sealed record HistoryEvent(HistoryPosition Position, object Message);

/// <summary>
/// An item of a page: <paramref name="Type"/> is the contract's type name (CaseRegistered …) and <paramref name="Message"/>
/// its body in the API's JSON (camelCase, enums by name), which deserializes into the <c>Relief.*.Contracts</c> type.
/// </summary>
public sealed record HistoryItem(string Cursor, string Type, object Message);

/// <summary>A page of a stream; <paramref name="Next"/> is null when the stream has nothing after this page (yet).</summary>
public sealed record HistoryPage(IReadOnlyList<HistoryItem> Items, string? Next);

/// <summary>Reads up to <c>limit</c> events of a stream strictly after a position, in the stream's order.</summary>
public delegate Task<IReadOnlyList<HistoryEvent>> HistoryReader(
    NpgsqlConnection connection, HistoryPosition after, int limit, CancellationToken cancellationToken);

/// <summary>
/// The sources' history (<c>GET /internal/history/{stream}?after=&amp;limit=</c>), for Reporting's client only: the events
/// a source published, rebuilt from its own tables, so that Reporting can empty its read model and replay them through the
/// handlers its consumers use. Each source says how a stream is read; paging, cursors, limits and who may read live here.
/// </summary>
public static class EventHistory
{
    public const int MaxLimit = 1000;
    public const int DefaultLimit = 100;

    /// <summary>The group the streams are mapped in: Reporting's client token, and nobody else, whatever their role.</summary>
    public static RouteGroupBuilder MapEventHistory(this IEndpointRouteBuilder app) =>
        app.MapGroup("/internal/history").WithTags("Internal")
            .RequireAuthorization(policy => policy.RequireClaim(ReliefClaims.Subject, ReliefServiceClients.Reporting));

    public static RouteHandlerBuilder MapStream(this RouteGroupBuilder history, string stream, HistoryReader read) =>
        history.MapGet($"/{stream}", (HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken) =>
            ReadPageAsync(http.Request.Query, db, read, cancellationToken));

    public static async Task<Results<Ok<HistoryPage>, ValidationProblem>> ReadPageAsync(
        IQueryCollection query, NpgsqlDataSource db, HistoryReader read, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText)
            && (limitText.Count != 1 || !int.TryParse(limitText[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit)
                || limit is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"每页条数为 1 到 {MaxLimit} / limit is a whole number from 1 to {MaxLimit}"];
        }

        var after = HistoryPosition.Start;
        if (query.TryGetValue("after", out var afterText) && (afterText.Count != 1 || !HistoryPosition.TryDecode(afterText[0]!, out after)))
        {
            errors["after"] = ["不是本流给出的游标 / after is not a cursor this stream gave"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        // One more than asked: whether there is a next page, without a count.
        var events = await read(connection, after, limit + 1, cancellationToken);
        var page = events.Take(limit).Select(e => new HistoryItem(e.Position.Encode(), e.Message.GetType().Name, e.Message)).ToList();
        return TypedResults.Ok(new HistoryPage(page, events.Count > limit ? page[^1].Cursor : null));
    }

    /// <summary>A timestamp as the database returned it (UTC), as the contracts carry it.</summary>
    public static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));
}
