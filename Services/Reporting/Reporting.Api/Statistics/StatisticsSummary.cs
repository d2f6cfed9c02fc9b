using Dapper;
using Npgsql;
using Relief.Reporting.ReadModel;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Reporting.Statistics;

public sealed record Period(DateOnly From, DateOnly To);

public sealed record ScopeView(string Role, string County, string Office);

public sealed record Totals(int Cases, int Referred, int Referrals, int Accepted, int Rejected, int Overdue, int Completed, int ReliefActions);

public sealed record MonthCount(string Month, int Cases);
public sealed record CountyCount(string County, string? Name, int Cases);
public sealed record PointCount(string Point, string? Kind, string? County, int Cases);
public sealed record KindCount(string Kind, int Cases);
public sealed record ChannelCount(string Channel, int Cases);
public sealed record SituationCount(string Situation, int Cases);
public sealed record IdentityCount(string Identity, int Cases);
public sealed record OutcomeCount(string Outcome, int Cases);
public sealed record ReasonCount(string Reason, int Referrals);
public sealed record StationFigures(string Station, int Referrals, int Accepted, int Rejected, int Overdue, double? AcceptP50Minutes);

/// <summary>
/// The hand-off from point to station. Over whole months by county the minutes to accept come from a histogram of whole
/// minutes (<see cref="AcceptMinutesApproximate"/>: within a minute of the exact figure); otherwise from every referral.
/// </summary>
public sealed record Handoff(
    double? AcceptP50Minutes, double? AcceptP90Minutes, double OverdueShare,
    IReadOnlyList<ReasonCount> RejectionsByReason, IReadOnlyList<StationFigures> ByStation, bool AcceptMinutesApproximate = false);

public sealed record ProvinceVouchers(string Province, int Count, decimal Amount);

/// <summary>
/// Relief given in the period (voided actions left out). Lodging counts stays: the ledger's event carries no number of
/// nights, so <see cref="Lodging"/> is actions, not nights.
/// </summary>
public sealed record ReliefFigures(IReadOnlyList<ProvinceVouchers> VouchersByProvince, int Escorts, int Lodging, int Food, int Fares, decimal FaresAmount);

public sealed record CoverageCount(string County, string Kind, string Status, int Points);

/// <summary>
/// 寻亲 in the period: notices of people who arrived at a station in it (how many were published within 24 hours of
/// arrival, how many went overdue), and the reunions — notices withdrawn because the family was found — in it.
/// </summary>
public sealed record FamilySearchSummary(int Notices, int Published, int PublishedWithin24Hours, double ShareWithin24Hours, int Overdue, int Reunions);

public sealed record StatisticsSummary(
    Period Period, ScopeView Scope, Totals Totals,
    IReadOnlyList<MonthCount> ByMonth, IReadOnlyList<CountyCount> ByCounty, IReadOnlyList<PointCount> ByPoint,
    IReadOnlyList<KindCount> ByPointKind, IReadOnlyList<ChannelCount> ByChannel, IReadOnlyList<SituationCount> BySituation,
    IReadOnlyList<IdentityCount> ByIdentity, IReadOnlyList<OutcomeCount> ByOutcome,
    Handoff Handoff, ReliefFigures Relief, IReadOnlyList<CoverageCount> Coverage, FamilySearchSummary FamilySearch);

/// <summary>
/// The statistics page's numbers, all from the read model, in one round trip. Cases and relief come from the monthly
/// roll-ups (migration 0002, kept by triggers in the handlers' transactions) for the period's whole months, and from the
/// rows for its days outside them; referrals from theirs (0003) when the period is whole months, else from their rows.
/// Referral and relief rows are scoped by their own county column (they carry the case's county) and joined with the
/// cases only when a point, a kind of point or point staff's scope needs the case's point.
/// </summary>
public static class SummaryQuery
{
    /// <summary>
    /// The cases counted under one breakdown's dimension (report_case_buckets): the roll-up's whole months, and the
    /// period's days before and after them from the rows, through the same bucket function the roll-up is kept with.
    /// Columns: month, county_code, service_point_code, point_kind, value, cases.
    /// </summary>
    private static string CaseCounts(string dimension) => $"""
        (select k.month, k.county_code, k.service_point_code, k.point_kind, k.value, k.cases
         from report_case_counts k
         -- a bucket its cases have left stays as a zero row: not a point's kind nor a month any more
         where k.dimension = '{dimension}' and k.cases <> 0 and k.month >= @WholeFrom and k.month < @WholeTo and {StatisticsFilter.FiltersOn("k")}
         union all
         select c.month, c.county_code, c.service_point_code, c.point_kind, b.value, 1
         from report_cases c cross join lateral report_case_buckets(c.channel, c.identity_status, c.outcome, c.closed_at, c.situations) b
         where b.dimension = '{dimension}' and c.registered_at >= @From and c.registered_at < @WholeFromInstant and {StatisticsFilter.FiltersOn("c")}
         union all
         select c.month, c.county_code, c.service_point_code, c.point_kind, b.value, 1
         from report_cases c cross join lateral report_case_buckets(c.channel, c.identity_status, c.outcome, c.closed_at, c.situations) b
         where b.dimension = '{dimension}' and c.registered_at >= @WholeToInstant and c.registered_at < @To and {StatisticsFilter.FiltersOn("c")}
        ) n
        """;

    private static readonly string CaseStatements = $"""
        select coalesce(sum(n.cases), 0)::int from {CaseCounts("all")}
        """;

    private static readonly string CaseBreakdowns = $"""
        select to_char(n.month, 'YYYY-MM') as month, sum(n.cases)::int as cases from {CaseCounts("all")}
            group by n.month having sum(n.cases) > 0 order by n.month;
        select n.county_code as county, sum(n.cases)::int as cases from {CaseCounts("all")}
            group by n.county_code having sum(n.cases) > 0 order by n.county_code;
        select n.service_point_code as point, min(n.point_kind) as kind, min(n.county_code) as county, sum(n.cases)::int as cases
            from {CaseCounts("all")} group by n.service_point_code having sum(n.cases) > 0 order by cases desc, point;
        select coalesce(n.point_kind, 'unknown') as kind, sum(n.cases)::int as cases from {CaseCounts("all")}
            group by 1 having sum(n.cases) > 0 order by cases desc, kind;
        select n.value as channel, sum(n.cases)::int as cases from {CaseCounts("channel")}
            group by 1 having sum(n.cases) > 0 order by cases desc, channel;
        select n.value as situation, sum(n.cases)::int as cases from {CaseCounts("situation")}
            group by 1 having sum(n.cases) > 0 order by cases desc, situation;
        select n.value as identity, sum(n.cases)::int as cases from {CaseCounts("identity")}
            group by 1 having sum(n.cases) > 0 order by cases desc, identity;
        select n.value as outcome, sum(n.cases)::int as cases from {CaseCounts("outcome")}
            group by 1 having sum(n.cases) > 0 order by cases desc, outcome
        """;

    /// <summary>Referrals by their own county: the county officer's and the city's summary without a point filter.</summary>
    private static readonly string ReferralsByCounty = $"""
        from report_referrals r
        where r.requested_at >= @From and r.requested_at < @To and {StatisticsFilter.FiltersOn("r", pointColumns: false)}
        """;

    private static readonly string ReferralMonths = $"""
        k.month >= @WholeFrom and k.month < @WholeTo and {StatisticsFilter.FiltersOn("k", pointColumns: false)}
        """;

    /// <summary>
    /// The minutes to accept at a percentile from the histogram of whole minutes: the minute holding the rank, and
    /// where in it by the rank's place among its referrals (percentile_cont's rank over the sorted minutes).
    /// </summary>
    private static string AcceptPercentile(double p, bool byStation) => $"""
        select {(byStation ? "h.station, " : "")}min(h.minute + ((h.total - 1) * {p.ToString(System.Globalization.CultureInfo.InvariantCulture)} - h.before + 0.5) / h.n)::float8 as minutes
        from (select g.*, sum(g.n) over (w order by g.minute) - g.n as before, sum(g.n) over w as total
              from (select {(byStation ? "k.station, " : "")}k.minute, sum(k.referrals) as n from report_referral_accept_minutes k
                    where {ReferralMonths} group by {(byStation ? "k.station, " : "")}k.minute having sum(k.referrals) > 0) g
              window w as ({(byStation ? "partition by g.station" : "")})) h
        where (h.total - 1) * {p.ToString(System.Globalization.CultureInfo.InvariantCulture)} >= h.before
          and (h.total - 1) * {p.ToString(System.Globalization.CultureInfo.InvariantCulture)} < h.before + h.n
        {(byStation ? "group by h.station" : "")}
        """;

    /// <summary>The referral statements from the roll-ups: whole months, by county (0003).</summary>
    private static readonly string[] ReferralRollUp =
    [
        $"""
        select (select coalesce(sum(k.cases), 0)::int from report_referred_months k
                where {ReferralMonths} and k.cases <> 0 and (k.prior_month is null or k.prior_month < @WholeFrom)) as referred,
               coalesce(sum(k.referrals), 0)::int as referrals, coalesce(sum(k.accepted), 0)::int as accepted,
               coalesce(sum(k.rejected), 0)::int as rejected, coalesce(sum(k.overdue), 0)::int as overdue,
               coalesce(sum(k.completed), 0)::int as completed,
               ({AcceptPercentile(0.5, false)}) as p50,
               ({AcceptPercentile(0.9, false)}) as p90,
               true as approximate
        from report_referral_counts k where {ReferralMonths}
        """,
        $"""
        select k.reject_reason as reason, sum(k.rejected)::int as referrals from report_referral_counts k
        where {ReferralMonths} and k.rejected <> 0
        group by k.reject_reason having sum(k.rejected) > 0 order by referrals desc, reason
        """,
        $"""
        select k.station, sum(k.referrals)::int as referrals, sum(k.accepted)::int as accepted, sum(k.rejected)::int as rejected,
               sum(k.overdue)::int as overdue, p.minutes as "AcceptP50Minutes"
        from report_referral_counts k left join ({AcceptPercentile(0.5, true)}) p on p.station = k.station
        where {ReferralMonths}
        group by k.station, p.minutes having sum(k.referrals) > 0 order by k.station
        """,
    ];

    private static readonly string ReferralsJoined = $"""
        from report_referrals r join report_cases c on c.case_id = r.case_id
        where r.requested_at >= @From and r.requested_at < @To and {StatisticsFilter.CaseScopeWhere}
        """;

    /// <summary>Relief by its own county, from the roll-up's whole months and the rows of the days around them.</summary>
    private static readonly string ReliefByCounty = $"""
        (select k.kind, k.destination_province, k.actions, k.amount
         from report_relief_counts k
         where k.actions <> 0 and k.month >= @WholeFrom and k.month < @WholeTo and {StatisticsFilter.FiltersOn("k", pointColumns: false)}
         union all
         select a.kind, a.destination_province, 1, coalesce(a.amount, 0)
         from report_relief a
         where a.voided_at is null and a.recorded_at >= @From and a.recorded_at < @WholeFromInstant and {StatisticsFilter.FiltersOn("a", pointColumns: false)}
         union all
         select a.kind, a.destination_province, 1, coalesce(a.amount, 0)
         from report_relief a
         where a.voided_at is null and a.recorded_at >= @WholeToInstant and a.recorded_at < @To and {StatisticsFilter.FiltersOn("a", pointColumns: false)}
        ) n
        """;

    private static readonly string ReliefJoined = $"""
        (select a.kind, a.destination_province, 1 as actions, coalesce(a.amount, 0) as amount
         from report_relief a join report_cases c on c.case_id = a.case_id
         where a.recorded_at >= @From and a.recorded_at < @To and a.voided_at is null and {StatisticsFilter.CaseScopeWhere}
        ) n
        """;

    private static readonly string CoverageScope =
        DataScope.Predicate(new ScopeColumns(County: "p.county_code", ServicePoint: "p.code"));

    /// <summary>The referral statements over the rows: totals, rejections by reason, by station.</summary>
    private static string[] ReferralRows(string referralsIn) =>
    [
        $"""
        select count(distinct r.case_id)::int as referred, count(*)::int as referrals, count(r.accepted_at)::int as accepted,
               count(r.rejected_at)::int as rejected, count(r.overdue_at)::int as overdue, count(r.completed_at)::int as completed,
               percentile_cont(0.5) within group (order by extract(epoch from r.accepted_at - r.requested_at) / 60)
                   filter (where r.accepted_at is not null) as p50,
               percentile_cont(0.9) within group (order by extract(epoch from r.accepted_at - r.requested_at) / 60)
                   filter (where r.accepted_at is not null) as p90,
               false as approximate
        {referralsIn}
        """,
        $"""
        select r.reject_reason as reason, count(*)::int as referrals {referralsIn} and r.rejected_at is not null
            group by r.reject_reason order by referrals desc, reason
        """,
        $"""
        select r.receiving_station_county as station, count(*)::int as referrals, count(r.accepted_at)::int as accepted,
               count(r.rejected_at)::int as rejected, count(r.overdue_at)::int as overdue,
               percentile_cont(0.5) within group (order by extract(epoch from r.accepted_at - r.requested_at) / 60)
                   filter (where r.accepted_at is not null) as "AcceptP50Minutes"
        {referralsIn} group by r.receiving_station_county order by r.receiving_station_county
        """,
    ];

    private static string Sql(string[] referrals, string reliefIn) => $"""
        {CaseStatements};

        {referrals[0]};

        select coalesce(sum(n.actions), 0)::int from {reliefIn};

        {CaseBreakdowns};

        {referrals[1]};
        {referrals[2]};

        select coalesce(n.destination_province, 'unknown') as province, sum(n.actions)::int as count, coalesce(sum(n.amount), 0) as amount
        from {reliefIn} where n.kind = 'travel_voucher' group by 1 having sum(n.actions) > 0 order by count desc, province;
        select coalesce(sum(n.actions) filter (where n.kind = 'escort'), 0)::int as escorts,
               coalesce(sum(n.actions) filter (where n.kind = 'lodging'), 0)::int as lodging,
               coalesce(sum(n.actions) filter (where n.kind = 'food'), 0)::int as food,
               coalesce(sum(n.actions) filter (where n.kind = 'cash_fare'), 0)::int as fares,
               coalesce(sum(n.amount) filter (where n.kind = 'cash_fare'), 0) as "FaresAmount"
        from {reliefIn};

        select p.county_code as county, p.kind, p.status, count(*)::int as points from report_points p
        where (@County::text is null or p.county_code = @County) and (@PointKind::text is null or p.kind = @PointKind)
          and {CoverageScope}
        group by p.county_code, p.kind, p.status order by p.county_code, p.kind, p.status;

        {FamilySearchStatement};
        """;

    // By the case's county; a point, a kind of point or point staff through the case (few rows: one per unidentified arrival).
    private static readonly string FamilySearchStatement = $"""
        select count(*) filter (where f.arrived_at >= @From and f.arrived_at < @To)::int as notices,
               count(*) filter (where f.arrived_at >= @From and f.arrived_at < @To and f.published_at is not null)::int as published,
               count(*) filter (where f.arrived_at >= @From and f.arrived_at < @To
                                  and f.published_at <= f.arrived_at + interval '24 hours')::int as within,
               count(*) filter (where f.arrived_at >= @From and f.arrived_at < @To and f.overdue_level > 0)::int as overdue,
               count(*) filter (where f.withdrawn_reason = 'reunited' and f.withdrawn_at >= @From and f.withdrawn_at < @To)::int as reunions
        from report_notices f left join report_cases c on c.case_id = f.case_id
        where ((f.arrived_at >= @From and f.arrived_at < @To) or (f.withdrawn_at >= @From and f.withdrawn_at < @To))
          and (@County::text is null or f.county_code = @County)
          and (@PointKind::text is null or c.point_kind = @PointKind)
          and (@Point::text is null or c.service_point_code = @Point)
          and {DataScope.Predicate(new ScopeColumns(County: "f.county_code", ServicePoint: "c.service_point_code"))}
        """;

    private static readonly string RollUpSql = Sql(ReferralRollUp, ReliefByCounty);

    private static readonly string ByCountySql = Sql(ReferralRows(ReferralsByCounty), ReliefByCounty);

    private static readonly string JoinedSql = Sql(ReferralRows(ReferralsJoined), ReliefJoined);

    /// <summary>
    /// Whole months by county: every part from the roll-ups (the cases' and relief's also count the days around whole
    /// months from the rows). Other days by county: referrals from their rows, exactly. A point, a kind of point or point
    /// staff: referrals and relief joined with their cases.
    /// </summary>
    private static string SqlFor(StatisticsFilter filter, ReliefUser user) =>
        !filter.ByCountyOnly(user) ? JoinedSql : filter.IsWholeMonths ? RollUpSql : ByCountySql;

    /// <summary>The batch's statements one by one, in its order, as this filter and reader run them: the statistics benchmark times each alone.</summary>
    public static IReadOnlyList<string> StatementsFor(StatisticsFilter filter, ReliefUser user) =>
        SqlFor(filter, user).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static async Task<StatisticsSummary> RunAsync(NpgsqlDataSource db, StatisticsFilter filter, ReliefUser user, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        // The deltas consumers wrote this last second: the roll-ups then count every row written before this summary.
        await RollUpFolder.FoldUnlessRebuildingAsync(connection, cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(SqlFor(filter, user), filter.Parameters(user), cancellationToken: cancellationToken));
        var cases = await grid.ReadSingleAsync<int>();
        var referrals = await grid.ReadSingleAsync<ReferralRow>();
        var reliefActions = await grid.ReadSingleAsync<int>();
        var byMonth = (await grid.ReadAsync<MonthCount>()).AsList();
        var byCounty = (await grid.ReadAsync<(string County, int Cases)>())
            .Select(row => new CountyCount(row.County, ServiceDefaults.YunchengCounties.Names.GetValueOrDefault(row.County), row.Cases)).ToList();
        var byPoint = (await grid.ReadAsync<PointCount>()).AsList();
        var byKind = (await grid.ReadAsync<KindCount>()).AsList();
        var byChannel = (await grid.ReadAsync<ChannelCount>()).AsList();
        var bySituation = (await grid.ReadAsync<SituationCount>()).AsList();
        var byIdentity = (await grid.ReadAsync<IdentityCount>()).AsList();
        var byOutcome = (await grid.ReadAsync<OutcomeCount>()).AsList();
        var reasons = (await grid.ReadAsync<ReasonCount>()).AsList();
        var stations = (await grid.ReadAsync<StationFigures>()).AsList();
        var vouchers = (await grid.ReadAsync<ProvinceVouchers>()).AsList();
        var relief = await grid.ReadSingleAsync<ReliefRow>();
        var coverage = (await grid.ReadAsync<CoverageCount>()).AsList();
        var notices = await grid.ReadSingleAsync<NoticeRow>();

        return new StatisticsSummary(
            new Period(filter.From, filter.To),
            new ScopeView(user.Role, user.County, user.Office),
            new Totals(cases, referrals.Referred, referrals.Referrals, referrals.Accepted, referrals.Rejected, referrals.Overdue,
                referrals.Completed, reliefActions),
            byMonth, byCounty, byPoint, byKind, byChannel, bySituation, byIdentity, byOutcome,
            new Handoff(Round(referrals.P50), Round(referrals.P90),
                referrals.Referrals == 0 ? 0 : Math.Round((double)referrals.Overdue / referrals.Referrals, 4), reasons, stations,
                referrals.Approximate),
            new ReliefFigures(vouchers, relief.Escorts, relief.Lodging, relief.Food, relief.Fares, relief.FaresAmount),
            coverage,
            new FamilySearchSummary(notices.Notices, notices.Published, notices.Within,
                notices.Notices == 0 ? 0 : Math.Round((double)notices.Within / notices.Notices, 4), notices.Overdue, notices.Reunions));
    }

    private static double? Round(double? minutes) => minutes is { } value ? Math.Round(value, 1) : null;

    private sealed record ReferralRow(int Referred, int Referrals, int Accepted, int Rejected, int Overdue, int Completed, double? P50, double? P90, bool Approximate);

    private sealed record NoticeRow(int Notices, int Published, int Within, int Overdue, int Reunions);

    private sealed record ReliefRow(int Escorts, int Lodging, int Food, int Fares, decimal FaresAmount);
}
