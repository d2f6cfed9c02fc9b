using Dapper;
using Npgsql;
using Relief.Intake.Contracts;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Intake.History;

/// <summary>
/// The <c>cases</c> stream of the sources' history, for Reporting's rebuild: every <see cref="CaseRegistered"/> (as
/// registered: see migration 0012), <see cref="IdentityConfirmed"/>, <see cref="CaseUpdated"/> and <see cref="CaseClosed"/>
/// Intake published, rebuilt from the cases and their history, in the order they happened. Timestamps are the database's
/// (to the microsecond; the bus carries the clock's ticks).
/// </summary>
public static class CaseEventHistory
{
    public static IEndpointRouteBuilder MapCaseEventHistory(this IEndpointRouteBuilder app)
    {
        app.MapEventHistory().MapStream("cases", ReadAsync);
        return app;
    }

    // Registrations (rank 0) from the cases, the later steps (rank 1) from the case's history; each branch takes the first
    // @Limit after the position, the union the first @Limit of both. A case's version after an update is one more than the
    // updates before it: only an update raises it (CaseUpdate), each on the version it read. Steps Intake heard of from
    // Referral (by 'referral', a close by a completed referral among them) are Referral's events, not Intake's.
    private const string SelectEvents = """
        select * from (
            (select c.registered_at as at, 0 as rank, c.id::text collate "C" as key, 'registered' as action, c.id as case_id,
                    c.county_code, c.case_number, c.service_point_code, c.channel, c.registered_sex as sex,
                    c.registered_estimated_age as estimated_age, c.registered_need as need,
                    null::text as method, null::text[] as fields, null::int as version, null::text as outcome
             from cases c
             where (c.registered_at, 0, c.id::text collate "C") > (@At, @Rank, @Key)
             order by c.registered_at, c.id::text collate "C"
             limit @Limit)
            union all
            (select h.at, 1, lpad(h.id::text, 20, '0') collate "C", h.action, h.case_id,
                    c.county_code, null, null, null, null, null, null,
                    h.detail->>'method',
                    case when h.action = 'updated' then array(select jsonb_array_elements_text(h.detail->'fields')) end,
                    case when h.action = 'updated' then 1 + (select count(*) from case_history u
                                                             where u.case_id = h.case_id and u.action = 'updated' and u.id <= h.id)::int end,
                    h.detail->>'outcome'
             from case_history h join cases c on c.id = h.case_id
             where h.action in ('identity_confirmed', 'updated', 'case_closed') and h.by <> 'referral'
               and (h.at, 1, lpad(h.id::text, 20, '0') collate "C") > (@At, @Rank, @Key)
             order by h.at, h.id
             limit @Limit)
        ) events
        order by at, rank, key
        limit @Limit
        """;

    public static async Task<IReadOnlyList<HistoryEvent>> ReadAsync(
        NpgsqlConnection connection, HistoryPosition after, int limit, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
            SelectEvents, new { after.At, after.Rank, after.Key, Limit = limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => new HistoryEvent(new HistoryPosition(row.At, row.Rank, row.Key), row.ToMessage()))];
    }

    private sealed class EventRow
    {
        public DateTime At { get; init; }
        public int Rank { get; init; }
        public string Key { get; init; } = "";
        public string Action { get; init; } = "";
        public Guid CaseId { get; init; }
        public string CountyCode { get; init; } = "";
        public string? CaseNumber { get; init; }
        public string? ServicePointCode { get; init; }
        public string? Channel { get; init; }
        public string? Sex { get; init; }
        public short? EstimatedAge { get; init; }
        public string? Need { get; init; }
        public string? Method { get; init; }
        public string[]? Fields { get; init; }
        public int? Version { get; init; }
        public string? Outcome { get; init; }

        public object ToMessage() => Action switch
        {
            "registered" => new CaseRegistered
            {
                CaseId = CaseId, CountyCode = CountyCode, ServicePointCode = ServicePointCode!,
                Channel = Enum.Parse<IntakeChannel>(Channel!), Sex = Enum.Parse<Sex>(Sex!), EstimatedAge = EstimatedAge,
                Need = Enum.Parse<ReliefNeed>(Need!), RegisteredAt = EventHistory.Utc(At), CaseNumber = CaseNumber,
            },
            "identity_confirmed" => new IdentityConfirmed { CaseId = CaseId, CountyCode = CountyCode, Method = Method!, ConfirmedAt = EventHistory.Utc(At) },
            "updated" => new CaseUpdated
            {
                CaseId = CaseId, CountyCode = CountyCode, ChangedFields = Fields!, Version = Version!.Value, UpdatedAt = EventHistory.Utc(At),
            },
            "case_closed" => new CaseClosed { CaseId = CaseId, CountyCode = CountyCode, Outcome = Outcome!, ClosedAt = EventHistory.Utc(At) },
            _ => throw new InvalidOperationException($"No event for the case history action '{Action}'."),
        };
    }
}
