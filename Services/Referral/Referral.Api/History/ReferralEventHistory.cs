using Dapper;
using Npgsql;
using Relief.Referral.Contracts;
using Relief.Referral.ReliefLedger;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Referral.History;

/// <summary>
/// Referral's streams of the sources' history, for Reporting's rebuild, each rebuilt from the rows written in the same
/// transaction as the event (so nothing is published that is not here): <c>classifications</c> (every
/// <see cref="CaseClassified"/>), <c>referrals</c> (every lifecycle event with its Sequence, and
/// <see cref="ReferralOverdue"/> for each deadline that fired, from the referrals' history) and <c>relief</c>
/// (<see cref="ReliefActionRecorded"/> and <see cref="ReliefActionVoided"/> from the ledger). Timestamps are the
/// database's (to the microsecond; the bus carries the clock's ticks).
/// </summary>
public static class ReferralEventHistory
{
    public static IEndpointRouteBuilder MapReferralEventHistory(this IEndpointRouteBuilder app)
    {
        var history = app.MapEventHistory();
        history.MapStream("classifications", ReadClassificationsAsync);
        history.MapStream("referrals", ReadReferralsAsync);
        history.MapStream("relief", ReadReliefAsync);
        return app;
    }

    // The rules that fired, in the order they fired (the event's Rules are the codes of the recorded "fired").
    private const string SelectClassifications = """
        select c.at, 0 as rank, c.id::text collate "C" as key, c.id, c.case_id, k.county_code, c.rule_set_version, c.decision,
               c.priority, c.trigger,
               array(select f.rule->>'code' from jsonb_array_elements(c.fired) with ordinality as f(rule, n) order by f.n) as rules
        from classifications c join cases k on k.id = c.case_id
        where (c.at, 0, c.id::text collate "C") > (@At, @Rank, @Key)
        order by c.at, c.id::text collate "C"
        limit @Limit
        """;

    // The history rows that are events (not extension requests or priority notes, which publish none). A request's
    // acceptance deadline as announced is its first one: raising the priority cancels that row and arms another.
    private const string SelectReferralEvents = """
        select h.at, 0 as rank, lpad(h.id::text, 20, '0') collate "C" as key, h.action, h.version, h.to_status, h.detail::text as detail,
               r.id as referral_id, r.case_id, r.county_code, r.receiving_station_county, r.service_point_code,
               h.detail->>'priority' as priority, h.detail->>'reason' as reason, h.detail->>'outcome' as outcome,
               h.detail ? 'classificationId' as by_classification,
               h.detail->>'kind' as overdue_kind, (h.detail->>'level')::int as overdue_level, (h.detail->>'dueAt')::timestamptz as due_at,
               case when h.action = 'request' then
                   (select d.due_at from deadlines d
                    where d.referral_id = r.id and d.kind = 'acceptance' and d.level = 1 and d.round = 1) end as accept_by
        from referral_history h join referrals r on r.id = h.referral_id
        where h.action in ('request', 'accept', 'reject', 'start', 'complete', 'cancel', 'transfer', 'reopen', 'overdue')
          and (h.at, 0, lpad(h.id::text, 20, '0') collate "C") > (@At, @Rank, @Key)
        order by h.at, h.id
        limit @Limit
        """;

    private const string SelectReliefEvents = """
        select * from (
            (select a.recorded_at as at, 0 as rank, a.id::text collate "C" as key, false as voided, a.id, a.case_id, a.county_code,
                    a.kind, a.amount, a.details->>'destination' as destination
             from relief_actions a
             where (a.recorded_at, 0, a.id::text collate "C") > (@At, @Rank, @Key)
             order by a.recorded_at, a.id::text collate "C"
             limit @Limit)
            union all
            (select a.voided_at, 1, a.id::text collate "C", true, a.id, a.case_id, a.county_code, a.kind, null, null
             from relief_actions a
             where a.voided_at is not null and (a.voided_at, 1, a.id::text collate "C") > (@At, @Rank, @Key)
             order by a.voided_at, a.id::text collate "C"
             limit @Limit)
        ) events
        order by at, rank, key
        limit @Limit
        """;

    public static async Task<IReadOnlyList<HistoryEvent>> ReadClassificationsAsync(
        NpgsqlConnection connection, HistoryPosition after, int limit, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<ClassificationRow>(new CommandDefinition(
            SelectClassifications, new { after.At, after.Rank, after.Key, Limit = limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => new HistoryEvent(new HistoryPosition(row.At, row.Rank, row.Key), new CaseClassified
        {
            CaseId = row.CaseId, CountyCode = row.CountyCode, RuleSetVersion = row.RuleSetVersion, Rules = row.Rules,
            Decision = row.Decision, At = EventHistory.Utc(row.At), Priority = row.Priority, ClassificationId = row.Id, Trigger = row.Trigger,
        }))];
    }

    public static async Task<IReadOnlyList<HistoryEvent>> ReadReferralsAsync(
        NpgsqlConnection connection, HistoryPosition after, int limit, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<ReferralEventRow>(new CommandDefinition(
            SelectReferralEvents, new { after.At, after.Rank, after.Key, Limit = limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => new HistoryEvent(new HistoryPosition(row.At, row.Rank, row.Key), row.ToMessage()))];
    }

    public static async Task<IReadOnlyList<HistoryEvent>> ReadReliefAsync(
        NpgsqlConnection connection, HistoryPosition after, int limit, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<ReliefRow>(new CommandDefinition(
            SelectReliefEvents, new { after.At, after.Rank, after.Key, Limit = limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => new HistoryEvent(new HistoryPosition(row.At, row.Rank, row.Key), row.ToMessage()))];
    }

    private sealed class ClassificationRow
    {
        public DateTime At { get; init; }
        public int Rank { get; init; }
        public string Key { get; init; } = "";
        public Guid Id { get; init; }
        public Guid CaseId { get; init; }
        public string CountyCode { get; init; } = "";
        public int RuleSetVersion { get; init; }
        public string Decision { get; init; } = "";
        public string? Priority { get; init; }
        public string Trigger { get; init; } = "";
        public string[] Rules { get; init; } = [];
    }

    private sealed class ReferralEventRow
    {
        public DateTime At { get; init; }
        public int Rank { get; init; }
        public string Key { get; init; } = "";
        public string Action { get; init; } = "";
        public int Version { get; init; }
        public string ToStatus { get; init; } = "";
        public Guid ReferralId { get; init; }
        public Guid CaseId { get; init; }
        public string CountyCode { get; init; } = "";
        public string ReceivingStationCounty { get; init; } = "";
        public string ServicePointCode { get; init; } = "";
        public string? Priority { get; init; }
        public string? Reason { get; init; }
        public string? Outcome { get; init; }
        public bool ByClassification { get; init; }
        public string? OverdueKind { get; init; }
        public int? OverdueLevel { get; init; }
        public DateTime? DueAt { get; init; }
        public DateTime? AcceptBy { get; init; }

        public object ToMessage()
        {
            var at = EventHistory.Utc(At);
            return Action switch
            {
                "request" => new ReferralRequested
                {
                    ReferralId = ReferralId, CaseId = CaseId, CountyCode = CountyCode, ReceivingStationCounty = ReceivingStationCounty,
                    ServicePointCode = ServicePointCode, Priority = Priority ?? "normal",
                    AcceptBy = AcceptBy is { } acceptBy ? EventHistory.Utc(acceptBy) : null, Sequence = Version, SentAt = at,
                },
                "accept" => new ReferralAccepted
                {
                    ReferralId = ReferralId, CaseId = CaseId, CountyCode = CountyCode, ReceivingStationCounty = ReceivingStationCounty,
                    Sequence = Version, At = at,
                },
                "reject" => new ReferralRejected
                {
                    ReferralId = ReferralId, CaseId = CaseId, CountyCode = CountyCode, ReceivingStationCounty = ReceivingStationCounty,
                    Sequence = Version, At = at, Reason = Reason!,
                },
                "complete" => new ReferralCompleted
                {
                    ReferralId = ReferralId, CaseId = CaseId, CountyCode = CountyCode, ReceivingStationCounty = ReceivingStationCounty,
                    Sequence = Version, At = at, Outcome = Outcome!,
                },
                "overdue" => new ReferralOverdue
                {
                    ReferralId = ReferralId, CaseId = CaseId, CountyCode = CountyCode, ReceivingStationCounty = ReceivingStationCounty,
                    Kind = OverdueKind!, Level = OverdueLevel!.Value, DueAt = EventHistory.Utc(DueAt!.Value), At = at,
                },
                _ => new ReferralStatusChanged
                {
                    ReferralId = ReferralId, CaseId = CaseId, CountyCode = CountyCode, ReceivingStationCounty = ReceivingStationCounty,
                    Sequence = Version, At = at, Status = ToStatus,
                    Reason = ByClassification ? ReferralStatusChanged.Reclassified : null,
                },
            };
        }
    }

    private sealed class ReliefRow
    {
        public DateTime At { get; init; }
        public int Rank { get; init; }
        public string Key { get; init; } = "";
        public bool Voided { get; init; }
        public Guid Id { get; init; }
        public Guid CaseId { get; init; }
        public string CountyCode { get; init; } = "";
        public string Kind { get; init; } = "";
        public decimal? Amount { get; init; }
        public string? Destination { get; init; }

        public object ToMessage() => Voided
            ? new ReliefActionVoided { ActionId = Id, CaseId = CaseId, CountyCode = CountyCode, Kind = Kind, At = EventHistory.Utc(At) }
            : new ReliefActionRecorded
            {
                ActionId = Id, CaseId = CaseId, CountyCode = CountyCode, Kind = Kind, Amount = Amount, At = EventHistory.Utc(At),
                DestinationProvince = DestinationProvince.Of(Kind, Destination),
            };
    }
}
