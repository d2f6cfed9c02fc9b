using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Relief.Testing;

namespace Relief.EndToEndTests.Portal;

/// <summary>
/// The hand-off in Chromium through the whole stack (issue 11): a love station registers an old man nobody can
/// identify; Referral sends him to his county's relief station, whose staff find him in their inbox, accept, find his
/// family, escort him home and complete the referral; back at the love station the case page shows every step and the
/// case closed. And a referral nobody accepts goes overdue and is marked in the inbox — the test stack gives priority
/// "high" a 5 s acceptance deadline, polled every second (ReliefStack).
/// </summary>
[Collection(nameof(SharedStack))]
public sealed partial class ReferralFlowTests(SharedStack shared, PortalBrowser browser) : IClassFixture<PortalBrowser>
{
    /// <summary>A love station (爱心驿站) of 盐湖区: a service point of the network like any other.</summary>
    private const string LoveStation = "YH-LS-E2E";

    private ReliefStack Stack => shared.Stack;

    [Fact]
    public async Task A_love_station_refers_an_unidentified_old_man_the_county_station_escorts_him_home_and_the_love_station_sees_every_step()
    {
        await EnsureLoveStationAsync();

        // At the love station: an old man who cannot say who he is, registered from the intake form.
        var (pointUser, pointPassword) = await Stack.SignIn.NewUserAsync(TestUsers.PointStaff(LoveStation, "140802"));
        await using var point = await browser.OpenAsync(Stack.PortalAddress);
        await point.SignInAsync(pointUser, pointPassword, "/cases/new");
        var page = point.Page;
        await page.Locator("#nameUnknown").CheckAsync();
        await page.Locator("#sex").SelectOptionAsync("Male");
        await page.Locator("#estimatedAge").FillAsync("82");
        await page.Locator("#need").SelectOptionAsync("Referral");
        await page.Locator("input[name=situations][value=elderly_alone]").CheckAsync();
        await page.Locator("input[name=situations][value=wandering]").CheckAsync();
        await page.Locator("input[name=needs][value=family_search]").CheckAsync();
        await page.Locator("#place").FillAsync("解放路爱心驿站门口");
        await page.Locator("[data-testid=register]").ClickAsync();
        await page.WaitForURLAsync(CaseRegistered());
        var caseId = Guid.Parse(CaseIdInUrl().Match(page.Url).Groups[1].Value);
        var number = (await page.Locator("[data-testid=case-number] strong").InnerTextAsync()).Trim();

        // Nothing on him says who he is either.
        await page.Locator("#method").SelectOptionAsync("not_established");
        await page.Locator("[data-testid=confirm-identity]").ClickAsync();
        await page.Locator("[data-testid=case-history] li[data-action=identity_confirmed]").WaitForAsync();
        await point.ScreenshotAsync("60-referral-registered-at-love-station");

        // At the county's relief station: the referral in the inbox.
        var (stationUser, stationPassword) = await Stack.SignIn.NewUserAsync(TestUsers.StationStaff());
        await using var station = await browser.OpenAsync(Stack.PortalAddress);
        await station.SignInAsync(stationUser, stationPassword, "/referrals");
        var inbox = station.Page;
        var row = inbox.Locator($"[data-testid=referral-row][data-case-number='{number}']");
        await ReloadUntilAsync(inbox, row, $"the referral of {number} is in the station's inbox");
        Assert.Equal(1, await row.Locator("[data-testid=priority-badge]").CountAsync());
        await station.ScreenshotAsync("61-station-inbox");
        await row.Locator("[data-testid=open-referral]").ClickAsync();
        await inbox.WaitForURLAsync(ReferralPage());
        var referralPath = new Uri(inbox.Url).AbsolutePath;

        // Accepted, in care.
        var referral = station.Page;
        await ActAsync(referral, "accept", () => referral.Locator("[data-testid=action-accept]").ClickAsync());
        await referral.Locator("[data-testid=referral-status][data-status=accepted]").WaitForAsync();
        await ActAsync(referral, "start", () => referral.Locator("[data-testid=action-start]").ClickAsync());
        await referral.Locator("[data-testid=referral-status][data-status=in_progress]").WaitForAsync();

        // Family found: his son, on the phone.
        await referral.Locator("[data-testid=relief-open]").ClickAsync();
        var relief = referral.Locator("[data-testid=relief-form]");
        await relief.Locator("[data-testid=relief-kind]").SelectOptionAsync("family_contact");
        await relief.GetByLabel("说明", new() { Exact = true }).FillAsync("经寻亲联系上其子，确认为河南省洛阳市人");
        await relief.Locator("[data-testid=relief-record]").ClickAsync();
        await referral.Locator("[data-testid=ledger-row][data-kind=family_contact]").WaitForAsync();

        // The escort home: who, where to, when, how.
        await referral.Locator("[data-testid=relief-open]").ClickAsync();
        await relief.Locator("[data-testid=relief-kind]").SelectOptionAsync("escort");
        await relief.GetByLabel("护送人").FillAsync("救助站王师傅、李师傅");
        await relief.GetByLabel("送往").FillAsync("河南省洛阳市");
        await relief.GetByLabel("出发时间").FillAsync("2026-07-01T09:30");
        await relief.GetByLabel("护送方式").FillAsync("站车护送，跨省交接给其子");
        await relief.Locator("[data-testid=relief-record]").ClickAsync();
        var escort = referral.Locator("[data-testid=ledger-row][data-kind=escort]");
        await escort.WaitForAsync();
        Assert.Contains("河南省洛阳市", await escort.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("王师傅", await escort.InnerTextAsync(), StringComparison.Ordinal);

        // Completed: escorted home.
        await ActAsync(referral, "complete", async () =>
        {
            await referral.Locator("[data-testid=action-complete]").ClickAsync();
            await referral.Locator("#outcome").SelectOptionAsync("escorted_home");
            await referral.Locator("#complete-comment").FillAsync("已护送至洛阳，由其子接回");
            await referral.Locator("[data-testid=confirm-complete]").ClickAsync();
        });
        await referral.Locator("[data-testid=referral-status][data-status=completed]").WaitForAsync();
        Assert.Contains("护送返乡", await referral.Locator("[data-testid=outcome]").InnerTextAsync(), StringComparison.Ordinal);
        await station.ScreenshotAsync("62-referral-completed");
        Assert.True(station.ConsoleErrors.Count == 0, string.Join("\n", station.ConsoleErrors));

        // Back at the love station: every step on the case page, and the case closed (Intake hears it from the bus).
        string[] steps = ["classified", "identity_confirmed", "referral_sent", "referral_accepted", "referral_in_progress", "relief_given",
            "referral_completed", "case_closed"];
        await page.GotoAsync($"/cases/{caseId}");
        await Eventually.TrueAsync(async () =>
        {
            if (await page.Locator("[data-testid=case-closed]").CountAsync() == 1 && await AllStepsShownAsync(page, steps)
                && await page.Locator("[data-testid=case-history] li[data-action=relief_given]").CountAsync() == 2)
            {
                return true;
            }

            await page.ReloadAsync();
            return false;
        }, "the case page shows every step of the hand-off and the case closed", TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(500));
        var history = await page.Locator("[data-testid=case-history]").InnerTextAsync();
        Assert.Contains("救助管理站已接收转介", history, StringComparison.Ordinal);
        Assert.Contains("联系亲属或单位", history, StringComparison.Ordinal);
        Assert.Contains("转介办结：护送返乡", history, StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("[data-testid=ledger-row]").CountAsync());
        Assert.Equal("referral", await page.Locator("[data-testid=classification]").GetAttributeAsync("data-decision"));
        Assert.Equal(1, await page.Locator("[data-testid=case-referral][data-status=completed]").CountAsync());
        // Closed: nothing more to give at the point, nobody to refer again.
        Assert.Equal(0, await page.Locator("[data-testid=quick-relief]").CountAsync());
        Assert.Equal(0, await page.Locator("[data-testid=refer-again]").CountAsync());
        await point.ScreenshotAsync("63-case-closed-at-love-station");

        // The referral's own page, as the love station sees it: its history, nothing left for them to do.
        await page.Locator("[data-testid=case-referral] [data-testid=open-referral]").ClickAsync();
        await page.WaitForURLAsync($"**{referralPath}");
        foreach (var action in new[] { "accept", "start", "complete" })
        {
            Assert.Equal(1, await page.Locator($"[data-testid=referral-history] li[data-action={action}]").CountAsync());
        }

        Assert.Equal(0, await page.Locator("[data-testid=referral-actions]").CountAsync());
        Assert.True(point.ConsoleErrors.Count == 0, string.Join("\n", point.ConsoleErrors));
    }

    [Fact]
    public async Task A_referral_nobody_accepts_goes_overdue_and_the_station_inbox_marks_it_without_a_reload()
    {
        using var intake = await Stack.CreateClientAsync("intake", TestUsers.PointStaff(TestUsers.LinyiPoint, "140821"));
        using var registered = await intake.PostAsJsonAsync("/api/cases", new
        {
            servicePointCode = TestUsers.LinyiPoint, countyCode = "140821", channel = "WalkIn", need = "Referral", sex = "Male",
            estimatedAge = 45, situations = new[] { "wandering" },
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var number = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("caseNumber").GetString();

        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.StationStaff(TestUsers.LinyiStation, "140821"));
        await using var station = await browser.OpenAsync(Stack.PortalAddress);
        await station.SignInAsync(userName, password, "/referrals");
        var page = station.Page;

        // Nobody touches the page: it re-reads itself (every 15 s) until the referral is there, then until it is marked.
        var row = page.Locator($"[data-testid=referral-row][data-case-number='{number}']");
        await row.WaitForAsync(new() { Timeout = 90_000 });
        Assert.Equal("high", await row.Locator("[data-testid=priority-badge]").GetAttributeAsync("data-priority"));
        var overdue = row.Locator("[data-testid=overdue-badge]");
        await overdue.WaitForAsync(new() { Timeout = 90_000 });
        Assert.Equal("true", await row.GetAttributeAsync("data-overdue"));
        Assert.Contains("超时", await overdue.InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(int.Parse(await overdue.GetAttributeAsync("data-level") ?? "0", System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("requested", await row.Locator("[data-testid=status-badge]").GetAttributeAsync("data-status"));

        // Overdue first: no referral that is on time comes before it.
        var marks = await page.Locator("[data-testid=referral-row]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.overdue)");
        var position = await row.EvaluateAsync<int>("r => [...r.parentElement.children].indexOf(r)");
        Assert.DoesNotContain("false", marks.Take(position));
        await station.ScreenshotAsync("64-overdue-referral-in-inbox");

        // The station's start page says so too.
        await page.GotoAsync("/");
        await page.Locator("[data-testid=home-overdue]").WaitForAsync();

        // The station has no bed: it refuses with a coded reason, and the point that sent the case is told on its start page.
        await page.GotoAsync("/referrals");
        await row.Locator("[data-testid=open-referral]").ClickAsync();
        await page.Locator("[data-testid=action-reject]").ClickAsync();
        await page.Locator("#reason").SelectOptionAsync("no_capacity");
        await page.Locator("#reject-comment").FillAsync("床位已满 / no beds");
        await page.Locator("[data-testid=confirm-reject]").ClickAsync();
        await page.Locator("[data-testid=referral-status][data-status=rejected]").WaitForAsync();

        var (pointUser, pointPassword) = await Stack.SignIn.NewUserAsync(TestUsers.PointStaff(TestUsers.LinyiPoint, "140821"));
        await using var point = await browser.OpenAsync(Stack.PortalAddress);
        await point.SignInAsync(pointUser, pointPassword, "/");
        // Intake hears of the rejection through the bus: the start page shows it once it has.
        var refused = point.Page.Locator($"[data-testid=home-rejected] li[data-case-number='{number}']");
        await ReloadUntilAsync(point.Page, refused, "the refused referral on the point's start page");
        await point.ScreenshotAsync("65-refused-referral-on-the-points-start-page");
        Assert.True(station.ConsoleErrors.Count == 0, string.Join("\n", station.ConsoleErrors));
    }

    /// <summary>
    /// The love station, embedded at Registry and known to Intake (which refuses cases at points it does not know); a
    /// stack that has it already answers 409 to creating it again.
    /// </summary>
    private async Task EnsureLoveStationAsync()
    {
        using var registry = await Stack.CreateClientAsync("registry", TestUsers.CityAdministrator());
        using var created = await registry.PostAsJsonAsync("/api/service-points", new
        {
            code = LoveStation, name = "解放路爱心驿站", kind = "love_station", countyCode = "140802", address = "解放路 88 号",
            longitude = 111.01, latitude = 35.03, openingHours = new { alwaysOpen = true },
        });
        if (created.IsSuccessStatusCode)
        {
            using var embedded = await registry.PostAsJsonAsync($"/api/service-points/{LoveStation}/status", new
            {
                status = "embedded", version = 1, signInstalledOn = "2026-06-01", staffTrainedCount = 2, staffTrainedOn = "2026-06-15",
            });
            embedded.EnsureSuccessStatusCode();
        }
        else
        {
            Assert.Equal(HttpStatusCode.Conflict, created.StatusCode);
        }

        var data = new StackData(Stack);
        await Eventually.TrueAsync(async () => await data.ScalarAsync<long>("intakedb",
                "select count(*) from service_points where code = @code and status = 'embedded'", new { code = LoveStation }) == 1,
            "Intake knows the love station", TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// Takes a step of the referral and waits for the page it leads to (<c>?done=action</c>). With a 5 s deadline, Referral
    /// may change the referral (an escalation) between the page being read and the click: then the page says someone else
    /// changed it and shows it as it now is, with its new version — and the user, like this test, acts again.
    /// </summary>
    private static async Task ActAsync(IPage page, string action, Func<Task> act)
    {
        var done = new Regex($"/referrals/[0-9a-f-]{{36}}\\?done={action}");
        for (var attempt = 1; ; attempt++)
        {
            await act();
            try
            {
                await page.WaitForURLAsync(done, new() { Timeout = 15_000 });
                return;
            }
            catch (TimeoutException) when (attempt < 3)
            {
                // Not done: only because someone else was first, which the page must then say.
                Assert.Equal(1, await page.Locator("[data-testid=notice]", new() { HasText = "已被他人更新" }).CountAsync());
            }
        }
    }

    /// <summary>Reloads the page until <paramref name="locator"/> is on it: what another service sends arrives in its time.</summary>
    private static async Task ReloadUntilAsync(IPage page, ILocator locator, string what) =>
        await Eventually.TrueAsync(async () =>
        {
            if (await locator.CountAsync() > 0)
            {
                return true;
            }

            await page.ReloadAsync();
            return await locator.CountAsync() > 0;
        }, what, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(500));

    private static async Task<bool> AllStepsShownAsync(IPage page, IEnumerable<string> steps)
    {
        foreach (var step in steps)
        {
            if (await page.Locator($"[data-testid=case-history] li[data-action={step}]").CountAsync() == 0)
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex("/cases/[0-9a-f-]{36}\\?registered=1$")]
    private static partial Regex CaseRegistered();

    [GeneratedRegex("/cases/([0-9a-f-]{36})")]
    private static partial Regex CaseIdInUrl();

    [GeneratedRegex("/referrals/[0-9a-f-]{36}(\\?.*)?$")]
    private static partial Regex ReferralPage();
}
