using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using Relief.FamilySearch.Contracts;
using Relief.Intake.Contracts;
using Relief.Referral.Contracts;
using Relief.Registry.Contracts;
using Relief.Reporting.ReadModel;
using Relief.ServiceDefaults.Data;

namespace Relief.Reporting.Rebuild;

/// <summary>One event of a source's history, as the sources give it (the event as on the bus, camelCase).</summary>
public sealed record HistoryItem(string Cursor, string Type, JsonElement Message);

/// <summary>A page of a source's history; <see cref="Next"/> is null on the last.</summary>
public sealed record HistoryPage(IReadOnlyList<HistoryItem> Items, string? Next);

/// <summary>A rebuild's result: how many events of each stream it applied.</summary>
public sealed record RebuildResult(IReadOnlyDictionary<string, int> Applied, int Cases, TimeSpan Took);

/// <summary>A handler's statements added to the rebuild's batch, sent in its transaction.</summary>
internal sealed class BatchWrites(NpgsqlBatch batch) : IReadModelWrites
{
    public void Write(string sql, object parameters) => batch.Add(sql, parameters);
}

/// <summary>
/// Empties the read model and replays the sources' history (GET /internal/history/{stream} of Registry, Intake and
/// Referral, with Reporting's client token) through the handlers the consumers use, so a rebuild gives the numbers the
/// live feed gives.
/// </summary>
/// <remarks>
/// It cannot mix with live consumption: the whole rebuild is one transaction holding the feed lock exclusively, and
/// every consumer's unit takes it shared. A consumer meanwhile waits (or fails its wait and is retried) and applies its
/// event on top of the rebuilt rows; the handlers are upserts that are right however often an event comes, so an event
/// both replayed and delivered live counts once. Readers are not blocked: the old rows are deleted, not truncated, so
/// the statistics pages see the old numbers until the rebuild commits and the new ones after — never a half-built model.
/// Points are replayed first, so each case takes its point's kind as it is inserted.
/// </remarks>
public sealed partial class ReadModelRebuild(
    NpgsqlDataSource db, IHttpClientFactory httpClients, IntakeFacts intake, TimeProvider clock, ILogger<ReadModelRebuild> logger) : IDisposable
{
    public const int PageSize = 1000;

    /// <summary>The sources' streams in replay order: (HTTP client, stream).</summary>
    public static readonly IReadOnlyList<(string Source, string Stream)> Streams =
    [
        (HistoryClients.Registry, "service-points"),
        (HistoryClients.Intake, "cases"),
        (HistoryClients.Referral, "classifications"),
        (HistoryClients.Referral, "referrals"),
        (HistoryClients.Referral, "relief"),
        (HistoryClients.FamilySearch, "notices"),
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // Enums as the sources write them: names (the bus's JSON) or, from an older writer, numbers.
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly SemaphoreSlim one = new(1, 1);

    public async Task<RebuildResult> RunAsync(CancellationToken cancellationToken)
    {
        // One at a time in this process; the exclusive lock serialises rebuilds of several instances.
        await one.WaitAsync(cancellationToken);
        try
        {
            return await RebuildAsync(cancellationToken);
        }
        finally
        {
            one.Release();
        }
    }

    private async Task<RebuildResult> RebuildAsync(CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var empty = new NpgsqlBatch(connection, transaction))
        {
            empty.Add("select pg_advisory_xact_lock(@Key)", new { Key = ReadModelHandlers.FeedLockKey })
                .Add("delete from report_cases")
                .Add("delete from report_referrals")
                .Add("delete from report_relief")
                .Add("delete from report_points")
                .Add("delete from report_notices")
                // The triggers counted every deleted row out of the roll-ups (as deltas): what is left are zero rows.
                .Add("delete from report_case_count_deltas")
                .Add("delete from report_relief_count_deltas")
                .Add("delete from report_referral_count_deltas")
                .Add("delete from report_referral_accept_minute_deltas")
                .Add("delete from report_referred_month_deltas")
                .Add("delete from report_case_counts")
                .Add("delete from report_relief_counts")
                .Add("delete from report_referral_counts")
                .Add("delete from report_referral_accept_minutes")
                .Add("delete from report_referred_months");
            empty.Timeout = 0;
            await empty.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = new Dictionary<string, int>();
        foreach (var (source, stream) in Streams)
        {
            using var http = httpClients.CreateClient(source);
            string? cursor = null;
            var count = 0;
            do
            {
                var uri = $"/internal/history/{stream}?limit={PageSize}" + (cursor is null ? "" : $"&after={Uri.EscapeDataString(cursor)}");
                var page = await http.GetFromJsonAsync<HistoryPage>(new Uri(uri, UriKind.Relative), Json, cancellationToken)
                    ?? throw new InvalidOperationException($"{source} answered an empty page of {stream}.");
                var facts = await FactsOfAsync(page.Items, cancellationToken);
                await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = 0 };
                var writes = new BatchWrites(batch);
                foreach (var item in page.Items)
                {
                    Apply(writes, item, facts);
                }

                if (batch.BatchCommands.Count > 0)
                {
                    await batch.ExecuteNonQueryAsync(cancellationToken);
                }

                count += page.Items.Count;
                // A page without items ends the stream too: a source that kept giving a cursor would loop for ever.
                cursor = page.Items.Count == 0 ? null : page.Next;
            }
            while (cursor is not null);

            applied[stream] = count;
            LogReplayed(logger, stream, count);
        }

        await using (var counted = new NpgsqlCommand("select count(*)::int from report_cases", connection, transaction))
        {
            var cases = (int)(await counted.ExecuteScalarAsync(cancellationToken))!;
            await transaction.CommitAsync(cancellationToken);
            return new RebuildResult(applied, cases, clock.GetElapsedTime(started));
        }
    }

    public void Dispose() => one.Dispose();

    private static readonly string[] CaseEvents = [nameof(CaseRegistered), nameof(IdentityConfirmed), nameof(CaseUpdated)];

    /// <summary>
    /// Intake's facts of every case the page names, read a few at a time (as the consumers read them after each case
    /// event): the latest facts, which is what the live feed ends with too.
    /// </summary>
    private async Task<IReadOnlyDictionary<Guid, CaseFactsView?>> FactsOfAsync(IReadOnlyList<HistoryItem> items, CancellationToken cancellationToken)
    {
        var ids = items.Where(item => CaseEvents.Contains(item.Type))
            .Select(item => item.Message.GetProperty("caseId").GetGuid()).Distinct().ToList();
        var facts = new ConcurrentDictionary<Guid, CaseFactsView?>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (id, token) => facts[id] = await intake.GetAsync(id, token));
        return facts;
    }

    private static void Apply(IReadModelWrites writes, HistoryItem item, IReadOnlyDictionary<Guid, CaseFactsView?> facts)
    {
        switch (item.Type)
        {
            case nameof(CaseRegistered):
                var registered = Read<CaseRegistered>(item);
                ReadModelHandlers.Apply(writes, registered, facts[registered.CaseId]);
                break;
            case nameof(IdentityConfirmed):
                var confirmed = Read<IdentityConfirmed>(item);
                ReadModelHandlers.Apply(writes, confirmed, facts[confirmed.CaseId]);
                break;
            case nameof(CaseUpdated):
                var updated = Read<CaseUpdated>(item);
                ReadModelHandlers.Apply(writes, updated, facts[updated.CaseId]);
                break;
            case nameof(CaseClosed):
                ReadModelHandlers.Apply(writes, Read<CaseClosed>(item));
                break;
            case nameof(CaseClassified):
                ReadModelHandlers.Apply(writes, Read<CaseClassified>(item));
                break;
            case nameof(ReferralRequested):
                ReadModelHandlers.Apply(writes, Read<ReferralRequested>(item));
                break;
            case nameof(ReferralAccepted):
                ReadModelHandlers.Apply(writes, Read<ReferralAccepted>(item));
                break;
            case nameof(ReferralRejected):
                ReadModelHandlers.Apply(writes, Read<ReferralRejected>(item));
                break;
            case nameof(ReferralStatusChanged):
                ReadModelHandlers.Apply(writes, Read<ReferralStatusChanged>(item));
                break;
            case nameof(ReferralCompleted):
                ReadModelHandlers.Apply(writes, Read<ReferralCompleted>(item));
                break;
            case nameof(ReferralOverdue):
                ReadModelHandlers.Apply(writes, Read<ReferralOverdue>(item));
                break;
            case nameof(ReliefActionRecorded):
                ReadModelHandlers.Apply(writes, Read<ReliefActionRecorded>(item));
                break;
            case nameof(ReliefActionVoided):
                ReadModelHandlers.Apply(writes, Read<ReliefActionVoided>(item));
                break;
            case nameof(ServicePointChanged):
                ReadModelHandlers.Apply(writes, Read<ServicePointChanged>(item));
                break;
            case nameof(NoticeDrafted):
                NoticeHandlers.Apply(writes, Read<NoticeDrafted>(item));
                break;
            case nameof(NoticePublished):
                NoticeHandlers.Apply(writes, Read<NoticePublished>(item));
                break;
            case nameof(NoticeWithdrawn):
                NoticeHandlers.Apply(writes, Read<NoticeWithdrawn>(item));
                break;
            case nameof(NoticeOverdue):
                NoticeHandlers.Apply(writes, Read<NoticeOverdue>(item));
                break;
            default:
                // A type the read model does not count (a source may give more than Reporting needs).
                break;
        }
    }

    private static T Read<T>(HistoryItem item) =>
        item.Message.Deserialize<T>(Json) ?? throw new InvalidOperationException($"History item {item.Cursor} of type {item.Type} is empty.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuild replayed {Count} events of {Stream}")]
    private static partial void LogReplayed(ILogger logger, string stream, int count);
}

/// <summary>The named HTTP clients of the sources' history, each with Reporting's client token.</summary>
public static class HistoryClients
{
    public const string Intake = "history-intake";
    public const string Referral = "history-referral";
    public const string Registry = "history-registry";
    public const string FamilySearch = "history-familysearch";
}
