using Dapper;
using Npgsql;
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

public sealed record Handoff(
    double? AcceptP50Minutes, double? AcceptP90Minutes, double OverdueShare,
    IReadOnlyList<ReasonCount> RejectionsByReason, IReadOnlyList<StationFigures> ByStation);

public sealed record ProvinceVouchers(string Province, int Count, decimal Amount);

/// <summary>
/// Relief given in the period (voided actions left out). Lodging counts stays: the ledger's event carries no number of
/// nights, so <see cref="Lodging"/> is actions, not nights.
/// </summary>
public sealed record ReliefFigures(IReadOnlyList<ProvinceVouchers> VouchersByProvince, int Escorts, int Lodging, int Food, int Fares, decimal FaresAmount);

public sealed record CoverageCount(string County, string Kind, string Status, int Points);

public sealed record StatisticsSummary(
    Period Period, ScopeView Scope, Totals Totals,
    IReadOnlyList<MonthCount> ByMonth, IReadOnlyList<CountyCount> ByCounty, IReadOnlyList<PointCount> ByPoint,
    IReadOnlyList<KindCount> ByPointKind, IReadOnlyList<ChannelCount> ByChannel, IReadOnlyList<SituationCount> BySituation,
    IReadOnlyList<IdentityCount> ByIdentity, IReadOnlyList<OutcomeCount> ByOutcome,
    Handoff Handoff, ReliefFigures Relief, IReadOnlyList<CoverageCount> Coverage);

/// <summary>The statistics page's numbers, all from the read model, in one round trip.</summary>
public static class SummaryQuery
{
    private static readonly string CasesIn = $"from report_cases c where {StatisticsFilter.CasesWhere}";

    private static readonly string ReferralsIn = $"""
        from report_referrals r join report_cases c on c.case_id = r.case_id
        where r.requested_at >= @From and r.requested_at < @To and {StatisticsFilter.CaseScopeWhere}
        """;

    private static readonly string ReliefIn = $"""
        from report_relief a join report_cases c on c.case_id = a.case_id
        where a.recorded_at >= @From and a.recorded_at < @To and a.voided_at is null and {StatisticsFilter.CaseScopeWhere}
        """;

    private static readonly string CoverageScope =
        DataScope.Predicate(new ScopeColumns(County: "p.county_code", ServicePoint: "p.code"));

    private static readonly string Sql = $"""
        select count(*)::int {CasesIn};

        select count(distinct r.case_id)::int as referred, count(*)::int as referrals, count(r.accepted_at)::int as accepted,
               count(r.rejected_at)::int as rejected, count(r.overdue_at)::int as overdue, count(r.completed_at)::int as completed,
               percentile_cont(0.5) within group (order by extract(epoch from r.accepted_at - r.requested_at) / 60)
                   filter (where r.accepted_at is not null) as p50,
               percentile_cont(0.9) within group (order by extract(epoch from r.accepted_at - r.requested_at) / 60)
                   filter (where r.accepted_at is not null) as p90
        {ReferralsIn};

        select count(*)::int {ReliefIn};

        select to_char(c.month, 'YYYY-MM') as month, count(*)::int as cases {CasesIn} group by c.month order by c.month;
        select c.county_code as county, count(*)::int as cases {CasesIn} group by c.county_code order by c.county_code;
        select c.service_point_code as point, min(c.point_kind) as kind, min(c.county_code) as county, count(*)::int as cases
            {CasesIn} group by c.service_point_code order by cases desc, point;
        select coalesce(c.point_kind, 'unknown') as kind, count(*)::int as cases {CasesIn} group by 1 order by cases desc, kind;
        select coalesce(c.channel, 'unknown') as channel, count(*)::int as cases {CasesIn} group by 1 order by cases desc, channel;
        select s as situation, count(*)::int as cases {CasesIn.Replace("from report_cases c", "from report_cases c cross join unnest(c.situations) s", StringComparison.Ordinal)}
            group by s order by cases desc, situation;
        select coalesce(c.identity_status, 'unconfirmed') as identity, count(*)::int as cases {CasesIn} group by 1 order by cases desc, identity;
        select coalesce(c.outcome, case when c.closed_at is null then 'open' else 'closed' end) as outcome, count(*)::int as cases
            {CasesIn} group by 1 order by cases desc, outcome;

        select r.reject_reason as reason, count(*)::int as referrals {ReferralsIn} and r.rejected_at is not null
            group by r.reject_reason order by referrals desc, reason;
        select r.receiving_station_county as station, count(*)::int as referrals, count(r.accepted_at)::int as accepted,
               count(r.rejected_at)::int as rejected, count(r.overdue_at)::int as overdue,
               percentile_cont(0.5) within group (order by extract(epoch from r.accepted_at - r.requested_at) / 60)
                   filter (where r.accepted_at is not null) as "AcceptP50Minutes"
        {ReferralsIn} group by r.receiving_station_county order by r.receiving_station_county;

        select coalesce(a.destination_province, 'unknown') as province, count(*)::int as count, coalesce(sum(a.amount), 0) as amount
        {ReliefIn} and a.kind = 'travel_voucher' group by 1 order by count desc, province;
        select count(*) filter (where a.kind = 'escort')::int as escorts, count(*) filter (where a.kind = 'lodging')::int as lodging,
               count(*) filter (where a.kind = 'food')::int as food, count(*) filter (where a.kind = 'cash_fare')::int as fares,
               coalesce(sum(a.amount) filter (where a.kind = 'cash_fare'), 0) as "FaresAmount"
        {ReliefIn};

        select p.county_code as county, p.kind, p.status, count(*)::int as points from report_points p
        where (@County::text is null or p.county_code = @County) and (@PointKind::text is null or p.kind = @PointKind)
          and {CoverageScope}
        group by p.county_code, p.kind, p.status order by p.county_code, p.kind, p.status;
        """;

    /// <summary>The batch's statements one by one, in its order: the statistics benchmark times each alone.</summary>
    public static IReadOnlyList<string> Statements { get; } = Sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static async Task<StatisticsSummary> RunAsync(NpgsqlDataSource db, StatisticsFilter filter, ReliefUser user, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(Sql, filter.Parameters(user), cancellationToken: cancellationToken));
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

        return new StatisticsSummary(
            new Period(filter.From, filter.To),
            new ScopeView(user.Role, user.County, user.Office),
            new Totals(cases, referrals.Referred, referrals.Referrals, referrals.Accepted, referrals.Rejected, referrals.Overdue,
                referrals.Completed, reliefActions),
            byMonth, byCounty, byPoint, byKind, byChannel, bySituation, byIdentity, byOutcome,
            new Handoff(Round(referrals.P50), Round(referrals.P90),
                referrals.Referrals == 0 ? 0 : Math.Round((double)referrals.Overdue / referrals.Referrals, 4), reasons, stations),
            new ReliefFigures(vouchers, relief.Escorts, relief.Lodging, relief.Food, relief.Fares, relief.FaresAmount),
            coverage);
    }

    private static double? Round(double? minutes) => minutes is { } value ? Math.Round(value, 1) : null;

    private sealed record ReferralRow(int Referred, int Referrals, int Accepted, int Rejected, int Overdue, int Completed, double? P50, double? P90);

    private sealed record ReliefRow(int Escorts, int Lodging, int Food, int Fares, decimal FaresAmount);
}
