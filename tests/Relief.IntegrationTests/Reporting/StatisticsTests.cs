using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniExcelLibs;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.Referral.Contracts;
using Relief.Testing;

namespace Relief.IntegrationTests.Reporting;

/// <summary>
/// The statistics of a generated month of 10,000 cases across Yuncheng's 13 counties, fed through the bus: the numbers
/// are a direct count of what was generated, scoped to the reader, the same in the Excel file, unchanged by a
/// redelivery, and the same after a rebuild from the sources' history.
/// </summary>
public sealed class StatisticsTests(ReportingFixture reporting) : IClassFixture<ReportingFixture>
{
    private const string November = "from=2026-11-01&to=2026-11-30";

    private GeneratedMonth Month => reporting.Month;

    private async Task<JsonObject> SummaryAsync(TestUser user, string query = November)
    {
        using var client = await reporting.Service.ClientForAsync(user);
        using var response = await client.GetAsync(new Uri($"/api/statistics/summary?{query}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static int Total(JsonObject summary, string name) => summary["totals"]![name]!.GetValue<int>();

    private static Dictionary<string, int> Counts(JsonObject summary, string list, string key) =>
        summary[list]!.AsArray().ToDictionary(row => row![key]!.GetValue<string>(), row => row!["cases"]!.GetValue<int>());

    [Fact]
    public async Task A_generated_month_gives_totals_equal_to_a_direct_count_of_its_events()
    {
        var summary = await SummaryAsync(TestUsers.CityAdministrator());

        Assert.Equal(ReportingFixture.CaseCount, Total(summary, "cases"));
        Assert.Equal(Month.ReferredCases.Count, Total(summary, "referred"));
        Assert.Equal(Month.Referrals, Total(summary, "referrals"));
        Assert.Equal(Month.Accepted, Total(summary, "accepted"));
        Assert.Equal(Month.Rejected, Total(summary, "rejected"));
        Assert.Equal(Month.Overdue, Total(summary, "overdue"));
        Assert.Equal(Month.Completed, Total(summary, "completed"));
        Assert.Equal(Month.ReliefActions, Total(summary, "reliefActions"));
        Assert.Equal(Month.CasesByCounty.OrderBy(c => c.Key), Counts(summary, "byCounty", "county").OrderBy(c => c.Key));
        Assert.Equal(13, summary["byCounty"]!.AsArray().Count);
        // Situations are read from the facts endpoint, never from the bus.
        Assert.Equal(Month.CasesBySituation.OrderBy(c => c.Key), Counts(summary, "bySituation", "situation").OrderBy(c => c.Key));
        Assert.Equal(Month.CasesByOutcome.OrderBy(c => c.Key), Counts(summary, "byOutcome", "outcome").OrderBy(c => c.Key));
        Assert.Equal([new KeyValuePair<string, int>("2026-11", ReportingFixture.CaseCount)], Counts(summary, "byMonth", "month"));
        Assert.Equal(ReportingFixture.CaseCount, Counts(summary, "byPointKind", "kind").Where(k => GeneratedMonth.PointKinds.Contains(k.Key)).Sum(k => k.Value));
        Assert.Equal(13 * GeneratedMonth.PointKinds.Length, summary["coverage"]!.AsArray().Sum(row => row!["points"]!.GetValue<int>()));
        Assert.NotNull(summary["handoff"]!["acceptP50Minutes"]);
    }

    [Fact]
    public async Task A_county_officers_numbers_contain_only_their_county()
    {
        const string county = "140821";
        var expected = Month.ByCounty[county];
        var summary = await SummaryAsync(TestUsers.CountyOfficer(county));

        Assert.Equal(expected.Cases, Total(summary, "cases"));
        Assert.Equal(expected.Referred.Count, Total(summary, "referred"));
        Assert.Equal(expected.Referrals, Total(summary, "referrals"));
        Assert.Equal(expected.Accepted, Total(summary, "accepted"));
        Assert.Equal(expected.Rejected, Total(summary, "rejected"));
        Assert.Equal(expected.Overdue, Total(summary, "overdue"));
        Assert.Equal(expected.Completed, Total(summary, "completed"));
        Assert.Equal(expected.ReliefActions, Total(summary, "reliefActions"));
        Assert.Equal([county], summary["byCounty"]!.AsArray().Select(row => row!["county"]!.GetValue<string>()));
        Assert.All(summary["byPoint"]!.AsArray(), row => Assert.Equal(county, row!["county"]!.GetValue<string>()));
        Assert.All(summary["coverage"]!.AsArray(), row => Assert.Equal(county, row!["county"]!.GetValue<string>()));

        // Asking for another county is not refused: it finds nothing.
        var elsewhere = await SummaryAsync(TestUsers.CountyOfficer(county), $"{November}&county=140802");
        Assert.Equal(0, Total(elsewhere, "cases"));
        Assert.Equal(0, Total(elsewhere, "referrals"));

        // The cases behind the number are the county's, and as many.
        using var client = await reporting.Service.ClientForAsync(TestUsers.CountyOfficer(county));
        var ids = new List<Guid>();
        string? after = null;
        do
        {
            var page = (await client.GetFromJsonAsync<JsonObject>(new Uri(
                $"/api/statistics/cases?{November}&limit=500{(after is null ? "" : "&after=" + after)}", UriKind.Relative)))!;
            ids.AddRange(page["items"]!.AsArray().Select(item => item!["caseId"]!.GetValue<Guid>()));
            Assert.All(page["items"]!.AsArray(), item => Assert.Equal(county, item!["countyCode"]!.GetValue<string>()));
            after = page["next"]?.GetValue<Guid>().ToString();
        }
        while (after is not null);
        Assert.Equal(expected.Cases, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(county, Month.Facts[id].CountyCode));
    }

    [Fact]
    public async Task Point_staff_count_their_own_point_only()
    {
        var point = GeneratedMonth.PointOf("140802", 0);
        var summary = await SummaryAsync(TestUsers.PointStaff(point, "140802"));

        Assert.Equal(Month.Facts.Values.Count(f => f.ServicePointCode == point), Total(summary, "cases"));
        Assert.Equal([point], summary["byPoint"]!.AsArray().Select(row => row!["point"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_monthly_Excel_file_read_back_has_the_same_totals()
    {
        using var client = await reporting.Service.ClientForAsync(TestUsers.CityAdministrator());
        using var response = await client.GetAsync(new Uri("/api/statistics/monthly.xlsx?month=2026-11", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        using var file = new MemoryStream(await response.Content.ReadAsByteArrayAsync());

        var cover = file.Query(useHeaderRow: true, sheetName: "月报").Cast<IDictionary<string, object?>>()
            .ToDictionary(row => (string)row["项目"]!, row => row["数值"]);
        Assert.Equal("2026-11-01 至 2026-11-30", cover["统计期间"]);
        Assert.Contains("CITY-BUREAU", (string)cover["制表单位"]!, StringComparison.Ordinal);
        Assert.Equal(ReportingFixture.CaseCount, Convert.ToInt32(cover["登记求助人数"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Month.Referrals, Convert.ToInt32(cover["转介次数"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Month.Rejected, Convert.ToInt32(cover["救助站拒收"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Month.ReliefActions, Convert.ToInt32(cover["救助次数"], System.Globalization.CultureInfo.InvariantCulture));

        file.Position = 0;
        var byCounty = file.Query(useHeaderRow: true, sheetName: "按县区").Cast<IDictionary<string, object?>>()
            .ToDictionary(row => (string)row["县区代码"]!, row => Convert.ToInt32(row["登记人数"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Month.CasesByCounty.OrderBy(c => c.Key), byCounty.OrderBy(c => c.Key));

        using var csv = await client.GetAsync(new Uri("/api/statistics/monthly.csv?month=2026-11&county=140802", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.True(bytes.AsSpan().StartsWith(Encoding.UTF8.GetPreamble()), "the CSV starts with a byte-order mark, for Excel");
        using var csvFile = new MemoryStream(bytes);
        var rows = csvFile.Query(useHeaderRow: true, excelType: ExcelType.CSV).Cast<IDictionary<string, object?>>()
            .ToDictionary(row => (string)row["项目"]!, row => Convert.ToString(row["数值"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("2026-11-01 至 2026-11-30", rows["统计期间"]);
        Assert.Equal("盐湖区", rows["县区"]);
        Assert.Equal(Month.CasesByCounty["140802"].ToString(System.Globalization.CultureInfo.InvariantCulture), rows["登记求助人数"]);
    }

    [Fact]
    public async Task A_redelivered_event_changes_nothing()
    {
        var before = await SummaryAsync(TestUsers.CityAdministrator());

        // The same messages again (a relay that lost its confirm publishes the row once more): the inbox drops them.
        var again = Month.Events.Where(e => e.Message is ReferralCompleted or ReliefActionRecorded or CaseRegistered).Take(30).ToList();
        foreach (var e in again)
        {
            await reporting.PublishAsync(e.Message, e.MessageId);
        }

        // The same content under new ids (a replay overlapping the live feed): the handlers' upserts keep one of each.
        var replayed = Month.Events.Where(e => e.Message is ReferralAccepted or ReliefActionVoided or IdentityConfirmed).Take(30).ToList();
        foreach (var e in replayed)
        {
            await reporting.PublishAsync(e.Message, Guid.NewGuid());
        }

        foreach (var e in again)
        {
            await reporting.Service.Consumed.WaitForAsync(e.MessageId, deliveries: 2, TimeSpan.FromSeconds(60));
        }

        await reporting.WaitUntilConsumedAsync(Month.Events.Count + replayed.Count);

        var after = await SummaryAsync(TestUsers.CityAdministrator());
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public async Task A_rebuild_from_the_sources_history_gives_the_same_numbers_as_the_incremental_feed()
    {
        var incremental = await SummaryAsync(TestUsers.CityAdministrator());

        using var city = await reporting.Service.ClientForAsync(TestUsers.CityAdministrator());
        city.Timeout = TimeSpan.FromMinutes(10);
        using var rebuilt = await city.PostAsync(new Uri("/api/statistics/rebuild", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, rebuilt.StatusCode);
        var result = (await rebuilt.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(ReportingFixture.CaseCount, result["cases"]!.GetValue<int>());

        var fromHistory = await SummaryAsync(TestUsers.CityAdministrator());
        Assert.Equal(incremental.ToJsonString(), fromHistory.ToJsonString());
    }

    [Theory]
    [InlineData("summary?from=2026-13-01", "from")]
    [InlineData("summary?from=2026-11-30&to=2026-11-01", "from")]
    [InlineData("summary?county=999999", "county")]
    [InlineData("summary?pointKind=Community%20Center", "pointKind")]
    [InlineData("cases?dimension=colour&value=red", "dimension")]
    [InlineData("cases?dimension=situation", "value")]
    [InlineData("cases?limit=0", "limit")]
    [InlineData("cases?after=yesterday", "after")]
    [InlineData("monthly.xlsx?month=2026/11", "month")]
    [InlineData("monthly.csv?county=beijing", "county")]
    public async Task A_bad_query_parameter_is_a_problem_naming_the_field(string query, string field)
    {
        using var client = await reporting.Service.ClientForAsync(TestUsers.CityAdministrator());
        using var response = await client.GetAsync(new Uri($"/api/statistics/{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var message = problem.GetProperty("errors").GetProperty(field)[0].GetString()!;
        Assert.Contains("/", message, StringComparison.Ordinal); // 中文 / English
    }

    [Fact]
    public async Task The_city_dashboard_counts_open_and_overdue_referrals_and_notices_near_or_past_their_limit()
    {
        using var client = await reporting.Service.ClientForAsync(TestUsers.CityAdministrator());
        var today = (await client.GetFromJsonAsync<JsonObject>(new Uri("/api/statistics/today", UriKind.Relative)))!;

        // Open: requested (overdue, never accepted) and accepted but not completed.
        var open = Month.Referrals - Month.Rejected - Month.Completed;
        Assert.Equal(open, today["openReferrals"]!.GetValue<int>());
        // Of the generated notices: one near its 24-hour limit, one past it; the published ones are not waiting.
        Assert.Equal(2, today["familySearch"]!["unpublished"]!.GetValue<int>());
        Assert.Equal(1, today["familySearch"]!["nearLimit"]!.GetValue<int>());
        Assert.Equal(1, today["familySearch"]!["pastLimit"]!.GetValue<int>());
        // The generated network has no relief station point in any county: every county lacks one.
        Assert.Equal(13, today["coverageGaps"]!.AsArray().Count);
    }

    [Fact]
    public async Task Family_search_counts_notices_published_within_24_hours_overdue_and_reunions_in_scope()
    {
        var around = DateOnly.FromDateTime(Month.NoticesGeneratedAt.ToOffset(TimeSpan.FromHours(8)).DateTime);
        var period = $"from={around.AddDays(-3):yyyy-MM-dd}&to={around.AddDays(1):yyyy-MM-dd}";
        using var officer = await reporting.Service.ClientForAsync(TestUsers.CountyOfficer(GeneratedMonth.NoticeCounty));
        var figures = (await officer.GetFromJsonAsync<JsonObject>(new Uri($"/api/statistics/summary?{period}", UriKind.Relative)))!["familySearch"]!;
        Assert.Equal(4, figures["notices"]!.GetValue<int>());
        Assert.Equal(2, figures["published"]!.GetValue<int>());
        Assert.Equal(2, figures["publishedWithin24Hours"]!.GetValue<int>());
        Assert.Equal(0.5, figures["shareWithin24Hours"]!.GetValue<double>());
        Assert.Equal(1, figures["overdue"]!.GetValue<int>());
        Assert.Equal(1, figures["reunions"]!.GetValue<int>());

        // Another county's officer sees none of them.
        var other = GeneratedMonth.Counties.First(county => county != GeneratedMonth.NoticeCounty);
        using var elsewhere = await reporting.Service.ClientForAsync(TestUsers.CountyOfficer(other));
        var none = (await elsewhere.GetFromJsonAsync<JsonObject>(new Uri($"/api/statistics/summary?{period}", UriKind.Relative)))!["familySearch"]!;
        Assert.Equal(0, none["notices"]!.GetValue<int>());
        Assert.Equal(0, none["reunions"]!.GetValue<int>());
    }

    // ---- The monthly roll-ups (migration 0002): the summary's cases and relief over whole months come from them. ----

    private Task<Dictionary<string, int>> DirectAsync(string sql, object parameters) =>
        DirectCountsAsync(reporting.Service.DatabaseConnectionString, sql, parameters);

    private static async Task<Dictionary<string, int>> DirectCountsAsync(string connectionString, string sql, object parameters)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        return (await Dapper.SqlMapper.QueryAsync<(string Key, int Count)>(connection, sql, parameters)).ToDictionary(row => row.Key, row => row.Count);
    }

    /// <summary>
    /// Rows of the roll-ups that a count afresh from the read model's rows does not give, and the other way round — once
    /// the service's folder has moved every delta the consumers wrote into them (no summary asked for it).
    /// </summary>
    private async Task<long> RollUpDriftAsync()
    {
        await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(reporting.Service.DatabaseConnectionString, """
            select (select count(*) from report_case_count_deltas) + (select count(*) from report_relief_count_deltas)
                 + (select count(*) from report_referral_count_deltas) + (select count(*) from report_referral_accept_minute_deltas)
                 + (select count(*) from report_referred_month_deltas)
            """) == 0, "the roll-ups' deltas folded", TimeSpan.FromSeconds(30));
        return await CountRollUpDriftAsync();
    }

    private Task<long> CountRollUpDriftAsync() => TestDatabase.ScalarAsync<long>(reporting.Service.DatabaseConnectionString, """
        with cases as (
            select c.month, c.county_code, c.service_point_code, c.point_kind, b.dimension, b.value, count(*)::int as cases
            from report_cases c cross join lateral report_case_buckets(c.channel, c.identity_status, c.outcome, c.closed_at, c.situations) b where c.month is not null group by 1, 2, 3, 4, 5, 6),
        kept as (select month, county_code, service_point_code, point_kind, dimension, value, cases from report_case_counts where cases <> 0),
        relief as (
            select report_relief_month(a.recorded_at) as month, a.county_code, a.kind, a.destination_province, count(*)::int as actions,
                   coalesce(sum(a.amount), 0) as amount
            from report_relief a where a.recorded_at is not null and a.voided_at is null group by 1, 2, 3, 4),
        kept_relief as (select month, county_code, kind, destination_province, actions, amount from report_relief_counts where actions <> 0 or amount <> 0),
        referrals as (
            select report_relief_month(r.requested_at) as month, r.county_code, r.receiving_station_county as station,
                   case when r.rejected_at is not null then r.reject_reason end as reject_reason, count(*)::int as referrals,
                   count(r.accepted_at)::int as accepted, count(r.rejected_at)::int as rejected, count(r.overdue_at)::int as overdue,
                   count(r.completed_at)::int as completed
            from report_referrals r where r.requested_at is not null group by 1, 2, 3, 4),
        kept_referrals as (select month, county_code, station, reject_reason, referrals, accepted, rejected, overdue, completed
                           from report_referral_counts where referrals <> 0),
        minutes as (
            select report_relief_month(r.requested_at) as month, r.county_code, r.receiving_station_county as station,
                   floor(extract(epoch from r.accepted_at - r.requested_at) / 60)::int as minute, count(*)::int as referrals
            from report_referrals r where r.requested_at is not null and r.accepted_at is not null group by 1, 2, 3, 4),
        kept_minutes as (select month, county_code, station, minute, referrals from report_referral_accept_minutes where referrals <> 0),
        referred as (
            select m.month, m.prior_month, m.county_code, count(*)::int as cases
            from (select d.month, lag(d.month) over (partition by d.case_id order by d.month) as prior_month, d.county_code
                  from (select distinct r.case_id, report_relief_month(r.requested_at) as month, r.county_code
                        from report_referrals r where r.requested_at is not null) d) m
            group by 1, 2, 3),
        kept_referred as (select month, prior_month, county_code, cases from report_referred_months where cases <> 0)
        select (select count(*) from ((select * from kept except all select * from cases) union all (select * from cases except all select * from kept)) d)
             + (select count(*) from ((select * from kept_relief except all select * from relief) union all (select * from relief except all select * from kept_relief)) d)
             + (select count(*) from ((select * from kept_referrals except all select * from referrals) union all (select * from referrals except all select * from kept_referrals)) d)
             + (select count(*) from ((select * from kept_minutes except all select * from minutes) union all (select * from minutes except all select * from kept_minutes)) d)
             + (select count(*) from ((select * from kept_referred except all select * from referred) union all (select * from referred except all select * from kept_referred)) d)
        """);

    /// <summary>Asserts the summary's case and relief figures for a period and filter equal a direct count over the rows.</summary>
    private async Task AssertEqualsDirectCountAsync(TestUser user, string from, string to, string? county, string? pointKind, string? scopeCounty)
    {
        var query = $"from={from}&to={to}{(county is null ? "" : "&county=" + county)}{(pointKind is null ? "" : "&pointKind=" + pointKind)}";
        var summary = await SummaryAsync(user, query);
        var period = new
        {
            From = new DateTimeOffset(DateTime.Parse(from, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromHours(8)).ToUniversalTime(),
            To = new DateTimeOffset(DateTime.Parse(to, System.Globalization.CultureInfo.InvariantCulture).AddDays(1), TimeSpan.FromHours(8)).ToUniversalTime(),
            County = county ?? scopeCounty, PointKind = pointKind, Scope = scopeCounty,
        };
        const string Cases = """
            from report_cases c where c.registered_at >= @From and c.registered_at < @To
              and (@County::text is null or c.county_code = @County) and (@PointKind::text is null or c.point_kind = @PointKind)
              and (@Scope::text is null or c.county_code = @Scope)
            """;
        var total = await DirectAsync($"select 'cases', count(*)::int {Cases}", period);
        Assert.Equal(total["cases"], Total(summary, "cases"));
        Assert.True(total["cases"] > 0, "the filter finds cases: the comparison means something");
        Assert.Equal((await DirectAsync($"select coalesce(channel, 'unknown'), count(*)::int {Cases} group by 1", period)).OrderBy(c => c.Key),
            Counts(summary, "byChannel", "channel").OrderBy(c => c.Key));
        Assert.Equal((await DirectAsync($"select coalesce(identity_status, 'unconfirmed'), count(*)::int {Cases} group by 1", period)).OrderBy(c => c.Key),
            Counts(summary, "byIdentity", "identity").OrderBy(c => c.Key));
        Assert.Equal((await DirectAsync($"select coalesce(outcome, case when closed_at is null then 'open' else 'closed' end), count(*)::int {Cases} group by 1", period)).OrderBy(c => c.Key),
            Counts(summary, "byOutcome", "outcome").OrderBy(c => c.Key));
        Assert.Equal((await DirectAsync($"select s, count(*)::int {Cases.Replace("from report_cases c", "from report_cases c cross join unnest(c.situations) s", StringComparison.Ordinal)} group by 1", period)).OrderBy(c => c.Key),
            Counts(summary, "bySituation", "situation").OrderBy(c => c.Key));
        Assert.Equal((await DirectAsync($"select service_point_code, count(*)::int {Cases} group by 1", period)).OrderBy(c => c.Key),
            Counts(summary, "byPoint", "point").OrderBy(c => c.Key));
        Assert.Equal((await DirectAsync($"select coalesce(point_kind, 'unknown'), count(*)::int {Cases} group by 1", period)).OrderBy(c => c.Key),
            Counts(summary, "byPointKind", "kind").OrderBy(c => c.Key));
        if (pointKind is null)
        {
            // Relief by its own county, from the relief roll-up.
            const string Relief = """
                from report_relief a where a.voided_at is null and a.recorded_at >= @From and a.recorded_at < @To
                  and (@County::text is null or a.county_code = @County)
                """;
            Assert.Equal((await DirectAsync($"select 'relief', count(*)::int {Relief}", period))["relief"], Total(summary, "reliefActions"));
            Assert.Equal((await DirectAsync($"select 'food', count(*)::int {Relief} and a.kind = 'food'", period))["food"], summary["relief"]!["food"]!.GetValue<int>());
            Assert.Equal((await DirectAsync($"select coalesce(destination_province, 'unknown'), count(*)::int {Relief} and a.kind = 'travel_voucher' group by 1", period)).OrderBy(c => c.Key),
                summary["relief"]!["vouchersByProvince"]!.AsArray().ToDictionary(row => row!["province"]!.GetValue<string>(), row => row!["count"]!.GetValue<int>()).OrderBy(c => c.Key));

            // Referrals by their own county, from the referral roll-ups over whole months.
            const string Referrals = """
                from report_referrals r where r.requested_at >= @From and r.requested_at < @To
                  and (@County::text is null or r.county_code = @County)
                """;
            var referrals = await DirectAsync($"""
                select 'referred', count(distinct case_id)::int {Referrals} union all select 'referrals', count(*)::int {Referrals}
                union all select 'accepted', count(accepted_at)::int {Referrals} union all select 'rejected', count(rejected_at)::int {Referrals}
                union all select 'overdue', count(overdue_at)::int {Referrals} union all select 'completed', count(completed_at)::int {Referrals}
                """, period);
            Assert.All(referrals, expected => Assert.Equal(expected.Value, Total(summary, expected.Key)));
            Assert.True(referrals["referrals"] > 0, "the period has referrals: the comparison means something");
            Assert.Equal((await DirectAsync($"select reject_reason, count(*)::int {Referrals} and rejected_at is not null group by 1", period)).OrderBy(c => c.Key),
                summary["handoff"]!["rejectionsByReason"]!.AsArray().ToDictionary(row => row!["reason"]!.GetValue<string>(), row => row!["referrals"]!.GetValue<int>()).OrderBy(c => c.Key));
            await using var connection = new Npgsql.NpgsqlConnection(reporting.Service.DatabaseConnectionString);
            var exactP50 = await Dapper.SqlMapper.ExecuteScalarAsync<double>(connection,
                $"select percentile_cont(0.5) within group (order by extract(epoch from accepted_at - requested_at) / 60) {Referrals} and accepted_at is not null", period);
            var p50 = summary["handoff"]!["acceptP50Minutes"]!.GetValue<double>();
            var approximate = summary["handoff"]!["acceptMinutesApproximate"]!.GetValue<bool>();
            Assert.True(approximate ? Math.Abs(p50 - exactP50) <= 1.05 : Math.Abs(p50 - exactP50) <= 0.05,
                $"hand-off p50 {p50} (approximate: {approximate}) against the exact {exactP50}");
            Assert.Equal(from.EndsWith("-01", StringComparison.Ordinal) && DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture).AddDays(1).Day == 1, approximate);
        }
    }

    [Fact]
    public async Task A_summary_asked_during_a_rebuild_answers_without_waiting_for_it()
    {
        var before = await SummaryAsync(TestUsers.CityAdministrator());
        // A rebuild holds the feed lock exclusively for as long as its replay takes: here, until this test lets go.
        await using var rebuild = new Npgsql.NpgsqlConnection(reporting.Service.DatabaseConnectionString);
        await rebuild.OpenAsync();
        await using var transaction = await rebuild.BeginTransactionAsync();
        await Dapper.SqlMapper.ExecuteAsync(rebuild, "select pg_advisory_xact_lock(@Key)",
            new { Key = Relief.Reporting.ReadModel.ReadModelHandlers.FeedLockKey }, transaction);

        using var client = await reporting.Service.ClientForAsync(TestUsers.CityAdministrator());
        client.Timeout = TimeSpan.FromSeconds(20);
        using var during = await client.GetAsync(new Uri($"/api/statistics/summary?{November}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        Assert.Equal(before.ToJsonString(), (await during.Content.ReadFromJsonAsync<JsonObject>())!.ToJsonString());
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task The_roll_up_summary_equals_a_direct_count_and_a_replay_or_a_moved_case_keeps_it_so()
    {
        Assert.Equal(0, await RollUpDriftAsync());
        // A whole month (roll-ups only), a period with days around a whole month (October's half has no cases, so the
        // month's figures), days within a month only (rows only), and a county officer with a kind of point.
        await AssertEqualsDirectCountAsync(TestUsers.CityAdministrator(), "2026-11-01", "2026-11-30", null, null, null);
        await AssertEqualsDirectCountAsync(TestUsers.CityAdministrator(), "2026-10-15", "2026-12-10", "140802", null, null);
        await AssertEqualsDirectCountAsync(TestUsers.CityAdministrator(), "2026-11-05", "2026-11-20", null, null, null);
        await AssertEqualsDirectCountAsync(TestUsers.CountyOfficer("140821"), "2026-11-01", "2026-11-30", null, "love_station", "140821");
        var before = await SummaryAsync(TestUsers.CityAdministrator());

        // Redelivered (same ids: the inbox drops them) and replayed (new ids: the handlers run again and change no row).
        var again = Month.Events.Where(e => e.Message is CaseRegistered or CaseClosed or ReliefActionRecorded).Take(40).ToList();
        var replayed = Month.Events.Where(e => e.Message is CaseRegistered or IdentityConfirmed or ReferralCompleted or CaseClosed
            or ReliefActionRecorded or ReliefActionVoided or Relief.Registry.Contracts.ServicePointChanged).Take(200).ToList();
        var consumed = await TestDatabase.ScalarAsync<long>(reporting.Service.DatabaseConnectionString, "select count(*) from inbox_messages");
        foreach (var e in again)
        {
            await reporting.PublishAsync(e.Message, e.MessageId);
        }

        foreach (var e in replayed)
        {
            await reporting.PublishAsync(e.Message, Guid.NewGuid());
        }

        foreach (var e in again)
        {
            await reporting.Service.Consumed.WaitForAsync(e.MessageId, deliveries: 2, TimeSpan.FromSeconds(60));
        }

        await reporting.WaitUntilConsumedAsync((int)consumed + replayed.Count);
        Assert.Equal(before.ToJsonString(), (await SummaryAsync(TestUsers.CityAdministrator())).ToJsonString());
        Assert.Equal(0, await RollUpDriftAsync());

        // A point's new kind moves its cases between the roll-up's buckets (the handler's update of the rows), and back.
        var point = GeneratedMonth.PointOf("140802", 1);
        var original = GeneratedMonth.PointKinds[1];
        var moved = new Relief.Registry.Contracts.ServicePointChanged
        {
            Code = point, Name = "统计测试点", Kind = "bus_station", CountyCode = "140802", Status = "embedded", Version = 1000,
            ChangedAt = GeneratedMonth.MonthStart,
        };
        var movedId = Guid.NewGuid();
        await reporting.PublishAsync(moved, movedId);
        await reporting.Service.Consumed.WaitForAsync(movedId, timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(0, await RollUpDriftAsync());
        await AssertEqualsDirectCountAsync(TestUsers.CountyOfficer("140802"), "2026-11-01", "2026-11-30", null, "bus_station", "140802");
        Assert.NotEqual(before.ToJsonString(), (await SummaryAsync(TestUsers.CityAdministrator())).ToJsonString());

        var backId = Guid.NewGuid();
        await reporting.PublishAsync(moved with { Kind = original, Version = 1001 }, backId);
        await reporting.Service.Consumed.WaitForAsync(backId, timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(0, await RollUpDriftAsync());
        Assert.Equal(before.ToJsonString(), (await SummaryAsync(TestUsers.CityAdministrator())).ToJsonString());
    }
}
