using Dapper;
using Npgsql;
using Relief.FamilySearch.Contracts;
using Relief.ServiceDefaults.Messaging;

namespace Relief.FamilySearch.History;

/// <summary>
/// Family search's stream of the sources' history, for Reporting's rebuild: <c>notices</c> — every
/// <see cref="NoticeDrafted"/>, <see cref="NoticePublished"/>, <see cref="NoticeWithdrawn"/> and <see cref="NoticeOverdue"/>,
/// rebuilt from the notices' history, which is written in the same transaction as each event (so nothing was published
/// that is not here). Ids, codes and times only, as on the bus.
/// </summary>
public static class NoticeEventHistory
{
    public static IEndpointRouteBuilder MapNoticeEventHistory(this IEndpointRouteBuilder app)
    {
        app.MapEventHistory().MapStream("notices", ReadNoticesAsync);
        return app;
    }

    private const string SelectNoticeEvents = """
        select h.at, 0 as rank, lpad(h.id::text, 20, '0') collate "C" as key, h.action,
               n.id as notice_id, n.case_id, n.county_code, n.station_county, n.arrived_at, n.due_at,
               h.detail->>'reason' as reason, (h.detail->>'level')::int as level, (h.detail->>'dueAt')::timestamptz as level_due_at,
               exists (select 1 from notice_history p where p.notice_id = n.id and p.action = 'published' and p.id < h.id) as was_published
        from notice_history h join notices n on n.id = h.notice_id
        where h.action in ('drafted', 'published', 'withdrawn', 'overdue')
          and (h.at, 0, lpad(h.id::text, 20, '0') collate "C") > (@At, @Rank, @Key)
        order by h.at, h.id
        limit @Limit
        """;

    public static async Task<IReadOnlyList<HistoryEvent>> ReadNoticesAsync(
        NpgsqlConnection connection, HistoryPosition after, int limit, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<NoticeEventRow>(new CommandDefinition(
            SelectNoticeEvents, new { after.At, after.Rank, after.Key, Limit = limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => new HistoryEvent(new HistoryPosition(row.At, row.Rank, row.Key), row.ToMessage()))];
    }

    private sealed class NoticeEventRow
    {
        public DateTime At { get; init; }
        public int Rank { get; init; }
        public string Key { get; init; } = "";
        public string Action { get; init; } = "";
        public Guid NoticeId { get; init; }
        public Guid CaseId { get; init; }
        public string CountyCode { get; init; } = "";
        public string StationCounty { get; init; } = "";
        public DateTime ArrivedAt { get; init; }
        public DateTime DueAt { get; init; }
        public string? Reason { get; init; }
        public int? Level { get; init; }
        public DateTime? LevelDueAt { get; init; }
        public bool WasPublished { get; init; }

        public object ToMessage() => Action switch
        {
            "drafted" => new NoticeDrafted
            {
                NoticeId = NoticeId, CaseId = CaseId, CountyCode = CountyCode, StationCounty = StationCounty,
                ArrivedAt = EventHistory.Utc(ArrivedAt), DueAt = EventHistory.Utc(DueAt), At = EventHistory.Utc(At),
            },
            "published" => new NoticePublished
            {
                NoticeId = NoticeId, CaseId = CaseId, CountyCode = CountyCode, StationCounty = StationCounty,
                ArrivedAt = EventHistory.Utc(ArrivedAt), At = EventHistory.Utc(At),
            },
            "withdrawn" => new NoticeWithdrawn
            {
                NoticeId = NoticeId, CaseId = CaseId, CountyCode = CountyCode, StationCounty = StationCounty,
                Reason = Reason ?? "other", WasPublished = WasPublished, At = EventHistory.Utc(At),
            },
            "overdue" => new NoticeOverdue
            {
                NoticeId = NoticeId, CaseId = CaseId, CountyCode = CountyCode, StationCounty = StationCounty,
                Level = Level ?? 1, DueAt = EventHistory.Utc(LevelDueAt ?? DueAt), At = EventHistory.Utc(At),
            },
            _ => throw new InvalidOperationException($"'{Action}' is not an event of the notices' stream."),
        };
    }
}
