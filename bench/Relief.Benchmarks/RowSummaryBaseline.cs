using Relief.ServiceDefaults.Authentication;

namespace Relief.Benchmarks;

/// <summary>
/// The summary as Reporting answered it before its roll-ups (migration 0001's read model, November 2026): its 16
/// statements over the rows, referrals and relief joined with the cases for the scope. Timed beside today's summary in
/// the same run, on the same rows, as the "before" of the README's statistics figures — a copy on purpose: the service
/// no longer has it.
/// </summary>
internal static class RowSummaryBaseline
{
    private static readonly string CasesWhere = $"""
        c.registered_at >= @From and c.registered_at < @To
          and (@County::text is null or c.county_code = @County)
          and (@PointKind::text is null or c.point_kind = @PointKind)
          and (@Point::text is null or c.service_point_code = @Point)
          and {DataScope.Predicate(new ScopeColumns(County: "c.county_code", ServicePoint: "c.service_point_code"))}
        """;

    private static readonly string CaseScopeWhere = $"""
        (@County::text is null or c.county_code = @County)
          and (@PointKind::text is null or c.point_kind = @PointKind)
          and (@Point::text is null or c.service_point_code = @Point)
          and {DataScope.Predicate(new ScopeColumns(County: "c.county_code", ServicePoint: "c.service_point_code"))}
        """;

    private static readonly string CasesIn = $"from report_cases c where {CasesWhere}";

    private static readonly string ReferralsIn = $"""
        from report_referrals r join report_cases c on c.case_id = r.case_id
        where r.requested_at >= @From and r.requested_at < @To and {CaseScopeWhere}
        """;

    private static readonly string ReliefIn = $"""
        from report_relief a join report_cases c on c.case_id = a.case_id
        where a.recorded_at >= @From and a.recorded_at < @To and a.voided_at is null and {CaseScopeWhere}
        """;

    private static readonly string CoverageScope =
        DataScope.Predicate(new ScopeColumns(County: "p.county_code", ServicePoint: "p.code"));

    public static readonly string Sql = $"""
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
}
