using Dapper;
using Npgsql;

namespace Relief.Benchmarks;

/// <summary>What the statistics page asks for: a period [From, To) in Beijing days, a county (none = the city's), a kind of point.</summary>
internal sealed record StatisticsFilter(DateOnly From, DateOnly To, string? County, string? PointKind)
{
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    /// <summary>The period's first instant (midnight in Beijing), as timestamptz compares it.</summary>
    public DateTime Start => new DateTimeOffset(From.ToDateTime(TimeOnly.MinValue), Beijing).UtcDateTime;

    /// <summary>The instant after the period's last day.</summary>
    public DateTime End => new DateTimeOffset(To.AddDays(1).ToDateTime(TimeOnly.MinValue), Beijing).UtcDateTime;

    public object Parameters => new { start = Start, end = End, county = County, kind = PointKind };
}

/// <summary>
/// The statistics summary's parts, each one statement over the read model — written to the agreed read model
/// (report_cases, report_referrals, report_relief, report_points) for as long as the Reporting service's own queries
/// are not on this branch; the benchmark times whichever it has (see <see cref="StatisticsBenchmark"/>).
/// </summary>
internal static class StatisticsQueries
{
    private const string Cases = """
        registered_at >= @start and registered_at < @end
        and (@county::text is null or county_code = @county)
        and (@kind::text is null or point_kind = @kind)
        """;

    // Referrals and relief carry no point kind: a kind filter reaches them through their case.
    private const string ByCaseKind = "(@kind::text is null or exists (select from report_cases k where k.case_id = x.case_id and k.point_kind = @kind))";

    public static readonly IReadOnlyList<(string Part, Func<NpgsqlConnection, StatisticsFilter, Task> Run)> Parts =
    [
        ("totals", (c, f) => c.QueryAsync($"""
            with cases as (
                select count(*) as cases, count(*) filter (where decision = 'referral') as referred
                from report_cases where {Cases}),
            referrals as (
                select count(*) as referrals, count(accepted_at) as accepted, count(rejected_at) as rejected,
                       count(overdue_at) as overdue, count(completed_at) as completed
                from report_referrals x
                where requested_at >= @start and requested_at < @end and (@county::text is null or county_code = @county) and {ByCaseKind}),
            relief as (
                select count(*) as relief_actions from report_relief x
                where recorded_at >= @start and recorded_at < @end and voided_at is null
                  and (@county::text is null or county_code = @county) and {ByCaseKind})
            select * from cases, referrals, relief
            """, f.Parameters)),
        ("by month", (c, f) => c.QueryAsync($"select month, count(*) as cases from report_cases where {Cases} group by month order by month", f.Parameters)),
        ("by county", (c, f) => c.QueryAsync($"select county_code, count(*) as cases from report_cases where {Cases} group by county_code order by county_code", f.Parameters)),
        ("by point", (c, f) => c.QueryAsync($"select service_point_code, count(*) as cases from report_cases where {Cases} group by service_point_code order by cases desc", f.Parameters)),
        ("by point kind", (c, f) => c.QueryAsync($"select point_kind, count(*) as cases from report_cases where {Cases} group by point_kind order by cases desc", f.Parameters)),
        ("by channel", (c, f) => c.QueryAsync($"select channel, count(*) as cases from report_cases where {Cases} group by channel order by cases desc", f.Parameters)),
        ("by situation", (c, f) => c.QueryAsync($"""
            select situation, count(*) as cases from report_cases, unnest(situations) as situation
            where {Cases} group by situation order by cases desc
            """, f.Parameters)),
        ("by identity", (c, f) => c.QueryAsync($"select identity_status, count(*) as cases from report_cases where {Cases} group by identity_status order by cases desc", f.Parameters)),
        ("by outcome", (c, f) => c.QueryAsync($"select outcome, count(*) as cases from report_cases where {Cases} group by outcome order by cases desc", f.Parameters)),
        ("hand-off p50/p90, overdue share", (c, f) => c.QueryAsync($"""
            select percentile_cont(0.5) within group (order by extract(epoch from accepted_at - requested_at) / 60) filter (where accepted_at is not null) as accept_p50_minutes,
                   percentile_cont(0.9) within group (order by extract(epoch from accepted_at - requested_at) / 60) filter (where accepted_at is not null) as accept_p90_minutes,
                   avg((overdue_at is not null)::int) as overdue_share
            from report_referrals x
            where requested_at >= @start and requested_at < @end and (@county::text is null or county_code = @county) and {ByCaseKind}
            """, f.Parameters)),
        ("rejections by reason, by station", (c, f) => c.QueryAsync($"""
            select receiving_station_county, reject_reason, count(*) as referrals, count(accepted_at) as accepted, count(overdue_at) as overdue
            from report_referrals x
            where requested_at >= @start and requested_at < @end and (@county::text is null or county_code = @county) and {ByCaseKind}
            group by receiving_station_county, reject_reason
            """, f.Parameters)),
        ("relief by province and kind", (c, f) => c.QueryAsync($"""
            select kind, destination_province, count(*) as actions, sum(amount) as amount
            from report_relief x
            where recorded_at >= @start and recorded_at < @end and voided_at is null
              and (@county::text is null or county_code = @county) and {ByCaseKind}
            group by kind, destination_province
            """, f.Parameters)),
        ("coverage", (c, f) => c.QueryAsync("""
            select county_code, kind, status, count(*) as points from report_points
            where (@county::text is null or county_code = @county) and (@kind::text is null or kind = @kind)
            group by county_code, kind, status
            """, f.Parameters)),
        ("cases behind a number, first page", (c, f) => c.QueryAsync($"""
            select case_id, case_number from report_cases
            where {Cases} and situations @> array['ill_or_injured']
            order by registered_at, case_id limit 50
            """, f.Parameters)),
    ];

    /// <summary>The agreed read model, for a branch without Reporting's migrations (they replace it when present).</summary>
    public const string Schema = """
        create table report_cases (
            case_id uuid primary key,
            case_number text,
            county_code text not null,
            service_point_code text not null,
            point_kind text,
            channel text not null,
            registered_at timestamptz not null,
            month date not null,
            sex text not null,
            age_band text not null,
            need text not null,
            situations text[] not null default '{}',
            identity_status text not null default 'unconfirmed',
            decision text,
            priority text,
            closed_at timestamptz,
            outcome text,
            updated_at timestamptz not null);
        create index report_cases_county_registered on report_cases (county_code, registered_at);
        create index report_cases_registered on report_cases (registered_at);

        create table report_referrals (
            referral_id uuid primary key,
            case_id uuid not null,
            county_code text not null,
            receiving_station_county text not null,
            requested_at timestamptz,
            accepted_at timestamptz,
            rejected_at timestamptz,
            reject_reason text,
            completed_at timestamptz,
            outcome text,
            overdue_at timestamptz,
            status text not null,
            last_sequence int not null);
        create index report_referrals_county_requested on report_referrals (county_code, requested_at);
        create index report_referrals_requested on report_referrals (requested_at);

        create table report_relief (
            action_id uuid primary key,
            case_id uuid not null,
            county_code text not null,
            kind text not null,
            amount numeric(10, 2),
            destination_province text,
            recorded_at timestamptz not null,
            voided_at timestamptz);
        create index report_relief_county_recorded on report_relief (county_code, recorded_at);
        create index report_relief_recorded on report_relief (recorded_at);

        create table report_points (
            code text primary key,
            kind text not null,
            county_code text not null,
            status text not null,
            version int not null,
            changed_at timestamptz not null);
        """;
}
