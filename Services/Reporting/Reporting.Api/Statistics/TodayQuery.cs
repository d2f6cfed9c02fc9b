using Dapper;
using Npgsql;
using Relief.Referral.Contracts;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Reporting.Statistics;

/// <summary>A county lacking an embedded point of some of the kinds every county is expected to have.</summary>
public sealed record CoverageGap(string County, string? Name, IReadOnlyList<string> MissingKinds);

/// <summary>
/// 寻亲公告 not yet published: all of them, those within <see cref="TodayQuery.NearLimit"/> of their 24-hour limit, and
/// those past it.
/// </summary>
public sealed record FamilySearchFigures(int Unpublished, int NearLimit, int PastLimit);

public sealed record TodayView(DateOnly Date, int OpenReferrals, int Overdue, IReadOnlyList<CoverageGap> CoverageGaps, FamilySearchFigures FamilySearch);

/// <summary>The city's dashboard: what stands open now, whatever day it was registered.</summary>
public static class TodayQuery
{
    /// <summary>
    /// The kinds of point every county's network has (DOMAIN.md: a relief station per county, community centers and
    /// love stations as the embedded base); stations of the railway and buses exist only where there is one.
    /// </summary>
    public static readonly IReadOnlyList<string> ExpectedKinds = ["relief_station", "community_center", "love_station"];

    private static readonly string Sql = $"""
        select count(*)::int as open, count(r.overdue_at)::int as overdue
        from report_referrals r
        where r.status = any(@Open) and {DataScope.Predicate(new ScopeColumns(County: "r.county_code", ReceivingStationCounty: "r.receiving_station_county"))};

        select distinct p.county_code as county, p.kind from report_points p where p.status = 'embedded';

        select count(*)::int as unpublished,
               count(*) filter (where f.due_at > @Now and f.due_at <= @Now + @NearLimit)::int as "NearLimit",
               count(*) filter (where f.due_at <= @Now)::int as "PastLimit"
        from report_notices f
        where f.published_at is null and f.withdrawn_at is null and f.due_at is not null
          and {DataScope.Predicate(new ScopeColumns(County: "f.county_code", ReceivingStationCounty: "f.station_county"))};
        """;

    /// <summary>A notice is near its limit in its last six hours: a shift's time to finish and approve it.</summary>
    public static readonly TimeSpan NearLimit = TimeSpan.FromHours(6);

    public static async Task<TodayView> RunAsync(NpgsqlDataSource db, ReliefUser user, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(Sql,
            DataScope.Parameters(user, new { Open = ReferralStatus.Open, Now = clock.GetUtcNow(), NearLimit }), cancellationToken: cancellationToken));
        var (open, overdue) = await grid.ReadSingleAsync<(int Open, int Overdue)>();
        var embedded = (await grid.ReadAsync<(string County, string Kind)>()).ToHashSet();
        var notices = await grid.ReadSingleAsync<FamilySearchFigures>();
        var counties = user.Is(ReliefRoles.CityAdministrator) ? YunchengCounties.Names.Keys : YunchengCounties.Names.Keys.Where(c => c == user.County);
        var gaps = counties.Order(StringComparer.Ordinal)
            .Select(county => new CoverageGap(county, YunchengCounties.Names[county],
                ExpectedKinds.Where(kind => !embedded.Contains((county, kind))).ToList()))
            .Where(gap => gap.MissingKinds.Count > 0)
            .ToList();
        return new TodayView(StatisticsFilter.TodayInBeijing(clock), open, overdue, gaps, notices);
    }
}
