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
    public async Task The_city_dashboard_counts_open_and_overdue_referrals_and_says_family_search_is_absent()
    {
        using var client = await reporting.Service.ClientForAsync(TestUsers.CityAdministrator());
        var today = (await client.GetFromJsonAsync<JsonObject>(new Uri("/api/statistics/today", UriKind.Relative)))!;

        // Open: requested (overdue, never accepted) and accepted but not completed.
        var open = Month.Referrals - Month.Rejected - Month.Completed;
        Assert.Equal(open, today["openReferrals"]!.GetValue<int>());
        Assert.False(today["familySearch"]!["available"]!.GetValue<bool>());
        // The generated network has no relief station point in any county: every county lacks one.
        Assert.Equal(13, today["coverageGaps"]!.AsArray().Count);
    }
}
