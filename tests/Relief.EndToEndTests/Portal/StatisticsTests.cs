using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MiniExcelLibs;
using Relief.Testing;

namespace Relief.EndToEndTests.Portal;

/// <summary>
/// The statistics page (统计报表) in Chromium, through the whole stack: cases registered at Intake reach Reporting's
/// read model by events, a county officer reads their county's numbers for a period they choose, follows one to the
/// cases behind it, and downloads the month's report as Excel, which is opened here and its total checked.
/// </summary>
[Collection(nameof(SharedStack))]
public sealed class StatisticsTests(SharedStack shared, PortalBrowser browser) : IClassFixture<PortalBrowser>
{
    private const string Linyi = "140821";

    private ReliefStack Stack => shared.Stack;

    private async Task<(Guid Id, string Number)> RegisterIllAsync()
    {
        using var intake = await Stack.CreateClientAsync("intake", TestUsers.PointStaff(TestUsers.LinyiPoint, Linyi));
        using var response = await intake.PostAsJsonAsync("/api/cases", new
        {
            servicePointCode = TestUsers.LinyiPoint, countyCode = Linyi, channel = "WalkIn", sex = "Female", estimatedAge = 70,
            need = "Referral", situations = new[] { "ill_or_injured" },
        });
        response.EnsureSuccessStatusCode();
        var registered = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (registered.GetProperty("id").GetGuid(), registered.GetProperty("caseNumber").GetString()!);
    }

    [Fact]
    public async Task A_county_officer_reads_the_periods_figures_follows_one_to_its_cases_and_downloads_the_months_Excel()
    {
        var cases = new List<(Guid Id, string Number)>();
        for (var i = 0; i < 3; i++)
        {
            cases.Add(await RegisterIllAsync());
        }

        var ids = cases.Select(c => c.Id).ToArray();
        var data = new StackData(Stack);
        // Situations come from Intake's facts after the event: the read model has them when the row says so.
        await Eventually.TrueAsync(async () => await data.ScalarAsync<long>("reportingdb",
                "select count(*) from report_cases where case_id = any(@ids) and situations @> array['ill_or_injured'] and registered_at is not null",
                new { ids }) == ids.Length,
            "Reporting's read model holds the three cases with their situation", TimeSpan.FromMinutes(1));

        var beijing = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        var today = beijing.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var month = beijing.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.CountyOfficer(Linyi));
        await using var session = await browser.OpenAsync(Stack.PortalAddress);
        await session.SignInAsync(userName, password, "/statistics");
        var page = session.Page;
        await page.Locator("[data-testid=chart-month][data-ready=true]").WaitForAsync();
        Assert.True(await TotalAsync(page) >= 3, "this month counts at least the three new cases");
        await session.ScreenshotAsync("70-statistics-month");

        // The period: today only (the month field is cleared, or it would win).
        var filter = page.Locator("[data-testid=statistics-filter]");
        await filter.Locator("input[name=month]").FillAsync("");
        await filter.Locator("input[name=from]").FillAsync(today);
        await filter.Locator("input[name=to]").FillAsync(today);
        await filter.GetByRole(Microsoft.Playwright.AriaRole.Button).ClickAsync();
        await page.WaitForURLAsync(new Regex($@"/statistics\?.*from={today}"));
        Assert.Contains($"{today} 至 {today}", await page.Locator("[data-testid=period]").InnerTextAsync(), StringComparison.Ordinal);
        var counted = await data.ScalarAsync<long>("reportingdb",
            "select count(*) from report_cases where county_code = @county and (registered_at at time zone 'Asia/Shanghai')::date = @day::date",
            new { county = Linyi, day = today });
        Assert.Equal(counted, await TotalAsync(page));
        await page.Locator("[data-testid=chart-situation][data-ready=true]").WaitForAsync();
        await session.ScreenshotAsync("71-statistics-today");

        // A number to its cases: the ill or injured of today, in Intake's own case list.
        var ill = page.Locator("[data-testid=by-situation] tr", new() { HasText = "患病或受伤" }).Locator("a");
        var illCount = int.Parse(await ill.InnerTextAsync(), CultureInfo.InvariantCulture);
        Assert.True(illCount >= 3, $"{illCount} ill or injured today");
        await ill.ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/cases\?.*situation=ill_or_injured"));
        var listed = await page.Locator("[data-testid=cases] tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.caseNumber)");
        Assert.All(cases, c => Assert.Contains(c.Number, listed));
        Assert.All(listed, number => Assert.StartsWith(Linyi + "-", number, StringComparison.Ordinal));
        await session.ScreenshotAsync("72-statistics-cases");

        // The month's Excel: downloaded through the portal, opened, its total the read model's count for the month.
        await page.GoBackAsync();
        await page.Locator("[data-testid=download-xlsx]").WaitForAsync();
        var monthStart = $"{month}-01";
        const string MonthCount = """
            select count(*) from report_cases
            where county_code = @county and registered_at >= (@monthStart::date::timestamp at time zone 'Asia/Shanghai')
              and registered_at < ((@monthStart::date + interval '1 month')::timestamp at time zone 'Asia/Shanghai')
            """;
        var before = await data.ScalarAsync<long>("reportingdb", MonthCount, new { county = Linyi, monthStart });
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=download-xlsx]").ClickAsync());
        var file = Path.Combine(Path.GetTempPath(), $"statistics-{Guid.NewGuid():N}.xlsx");
        await download.SaveAsAsync(file);
        var after = await data.ScalarAsync<long>("reportingdb", MonthCount, new { county = Linyi, monthStart });
        try
        {
            Assert.EndsWith(".xlsx", download.SuggestedFilename, StringComparison.Ordinal);
            var rows = MiniExcel.Query(file, useHeaderRow: true, sheetName: "月报")
                .Cast<IDictionary<string, object?>>()
                .ToDictionary(row => row["项目"]?.ToString() ?? "", row => row["数值"]?.ToString());
            Assert.Contains(month, rows["统计期间"], StringComparison.Ordinal);
            Assert.Contains("临猗县", rows["制表单位"], StringComparison.Ordinal);
            var total = (long)decimal.Parse(rows["登记求助人数"]!, CultureInfo.InvariantCulture);
            Assert.InRange(total, Math.Max(before, 3), after);
        }
        finally
        {
            File.Delete(file);
        }

        Assert.True(session.ConsoleErrors.Count == 0, string.Join("\n", session.ConsoleErrors));
    }

    [Fact]
    public async Task The_city_sees_open_and_overdue_referrals_coverage_gaps_and_notices_near_their_limit_on_its_dashboard()
    {
        var data = new StackData(Stack);
        const string Open = "select count(*) from report_referrals where status in ('requested', 'accepted', 'in_progress')";
        // Counties lacking an embedded relief station, community center or love station (Reporting's expected kinds).
        const string Gaps = """
            select count(*) from (values ('140802'), ('140821'), ('140822'), ('140823'), ('140824'), ('140825'), ('140826'),
                                         ('140827'), ('140828'), ('140829'), ('140830'), ('140881'), ('140882')) as county(code)
            where (select count(distinct kind) from report_points p
                   where p.county_code = county.code and p.status = 'embedded'
                     and p.kind in ('relief_station', 'community_center', 'love_station')) < 3
            """;
        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.CityAdministrator());
        await using var session = await browser.OpenAsync(Stack.PortalAddress);
        var openBefore = await data.ScalarAsync<long>("reportingdb", Open);
        await session.SignInAsync(userName, password, "/dashboard");
        var openAfter = await data.ScalarAsync<long>("reportingdb", Open);

        var page = session.Page;
        var shown = long.Parse(await page.Locator("[data-testid=open-referrals] .total-value").InnerTextAsync(), CultureInfo.InvariantCulture);
        Assert.InRange(shown, openBefore, openAfter);
        var gaps = await data.ScalarAsync<long>("reportingdb", Gaps);
        Assert.Equal(gaps.ToString(CultureInfo.InvariantCulture), (await page.Locator("[data-testid=gaps] .total-value").InnerTextAsync()).Trim());
        Assert.Equal(gaps, await page.Locator("[data-testid=coverage-gaps] tbody tr").CountAsync());
        const string Waiting = "select count(*) from report_notices where published_at is null and withdrawn_at is null and due_at is not null";
        Assert.Matches($"尚未发布的寻亲公告 {await data.ScalarAsync<long>("reportingdb", Waiting)} 份",
            await page.Locator("[data-testid=notices]").InnerTextAsync());
        await session.ScreenshotAsync("73-city-dashboard");
        Assert.True(session.ConsoleErrors.Count == 0, string.Join("\n", session.ConsoleErrors));
    }

    private static async Task<long> TotalAsync(Microsoft.Playwright.IPage page) =>
        long.Parse((await page.Locator("[data-testid=total-cases] .total-value").InnerTextAsync()).Replace(",", "", StringComparison.Ordinal),
            CultureInfo.InvariantCulture);
}
