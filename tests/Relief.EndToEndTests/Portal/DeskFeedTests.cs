using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Relief.Testing;

namespace Relief.EndToEndTests.Portal;

/// <summary>
/// The duty desk in the portal's header (issue 12): a relief station's staff have the portal open while a point
/// registers a case that needs referral; the bell's count and its list show the new referral without a reload — pushed
/// through Notification's live feed and the portal's /desk/stream. And the county office sets up where its notifications
/// go besides the desk (a WeCom duty group's robot) and reads the delivery log.
/// </summary>
[Collection(nameof(SharedStack))]
public sealed class DeskFeedTests(SharedStack shared, PortalBrowser browser) : IClassFixture<PortalBrowser>
{
    private ReliefStack Stack => shared.Stack;

    [Fact]
    public async Task Station_staff_see_a_new_referral_on_the_bell_and_in_the_feed_without_a_reload()
    {
        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.StationStaff());
        await using var station = await browser.OpenAsync(Stack.PortalAddress);
        await station.SignInAsync(userName, password, "/");
        var page = station.Page;

        // The station's desk as the page was loaded: its unread count (the shared stack's other tests refer cases here too).
        var badge = page.Locator("[data-testid=desk-unread]");
        var before = await page.Locator("[data-testid=desk-feed]").GetAttributeAsync("data-stream");
        Assert.NotNull(before);
        var unreadBefore = int.Parse(await badge.TextContentAsync() ?? "0", CultureInfo.InvariantCulture);
        await page.GetByTitle("值班台通知").ClickAsync();
        await page.Locator("[data-testid=desk-all]").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        // Marks this document: a reload or a navigation would lose it.
        await page.EvaluateAsync("() => { window.reliefDeskTest = 'same page'; }");
        // The live feed is open before the case is registered (the header's script connects at load).
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=desk-feed]').dataset.live === 'true'");

        // At the point: a man who needs the county's relief station, registered through Intake's API as the point's staff would.
        using var intake = await Stack.CreateClientAsync("intake", TestUsers.PointStaff());
        using var registered = await intake.PostAsJsonAsync("/api/cases", new
        {
            servicePointCode = TestUsers.YanhuPoint, countyCode = "140802", channel = "WalkIn", need = "Referral", sex = "Male",
            estimatedAge = 52, situations = new[] { "wandering" },
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var number = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("caseNumber").GetString();
        Assert.False(string.IsNullOrEmpty(number));

        // Nobody touches the page: the referral appears in the open list, and the count goes up.
        var item = page.Locator($"[data-testid=desk-items] [data-testid=desk-item][data-kind=referral_requested][data-case-number='{number}']");
        await item.WaitForAsync(new() { Timeout = 60_000 });
        await page.WaitForFunctionAsync("n => +document.querySelector('[data-testid=desk-unread]').textContent >= n", unreadBefore + 1,
            new() { Timeout = 10_000 });
        Assert.False(await badge.IsHiddenAsync());
        Assert.Equal("same page", await page.EvaluateAsync<string>("() => window.reliefDeskTest"));
        Assert.Contains("unread", await item.GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
        var text = await item.InnerTextAsync();
        Assert.Contains(number!, text, StringComparison.Ordinal);
        var link = await item.Locator("a").GetAttributeAsync("href");
        Assert.Matches("^/(referrals|cases)/[0-9a-f-]{36}$", link);
        await station.ScreenshotAsync("70-desk-feed-new-referral");

        // 全部已读: the item is read from now on, in the header and on the desk's own page.
        var feedId = await item.GetAttributeAsync("data-feed-id");
        var marked = await page.RunAndWaitForResponseAsync(() => page.Locator("[data-testid=desk-mark-read]").ClickAsync(),
            response => response.Url.EndsWith("/desk/read", StringComparison.Ordinal));
        Assert.Equal(302, marked.Status);

        // The desk's own page lists it too, and its link leads to where the station acts.
        await page.GotoAsync("/notifications");
        var listed = page.Locator($"[data-testid=desk-page-items] [data-testid=desk-item][data-feed-id='{feedId}']");
        await listed.WaitForAsync();
        Assert.DoesNotContain("unread", await listed.GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
        await listed.Locator("a").ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/(referrals|cases)/[0-9a-f-]{36}$"));
        Assert.True(station.ConsoleErrors.Count == 0, string.Join("\n", station.ConsoleErrors));
    }

    [Fact]
    public async Task A_county_officer_subscribes_a_wecom_duty_group_sees_it_listed_and_opens_the_delivery_log()
    {
        var officer = TestUsers.CountyOfficer();
        var (userName, password) = await Stack.SignIn.NewUserAsync(officer);
        // Notification checks subscriptions against its copy of Identity's offices, kept from OfficeChanged on the bus.
        var data = new StackData(Stack);
        await Eventually.TrueAsync(async () => await data.ScalarAsync<long>("notificationdb",
                "select count(*) from offices where code = @code and active", new { code = officer.Office }) == 1,
            "Notification knows the county office", TimeSpan.FromMinutes(1));

        await using var county = await browser.OpenAsync(Stack.PortalAddress);
        await county.SignInAsync(userName, password, "/");
        var page = county.Page;
        await page.Locator("[data-testid=nav]").GetByRole(AriaRole.Link, new() { Name = "通知订阅" }).ClickAsync();
        await page.WaitForURLAsync("**/notifications/subscriptions");

        // A signed format without its secret: the service says so beside the field, and what was typed stays.
        var form = page.Locator("[data-testid=subscription-form]");
        await form.GetByLabel("机构代码").FillAsync(officer.Office);
        await form.GetByLabel("通知类型").SelectOptionAsync("urgent_case");
        await form.GetByLabel("渠道").SelectOptionAsync("webhook");
        await form.GetByLabel("格式").SelectOptionAsync("dingtalk");
        await form.GetByLabel("推送地址").FillAsync("https://oapi.dingtalk.example/robot/send?access_token=e2e-token-0123456789");
        await form.Locator("[data-testid=subscribe]").ClickAsync();
        await page.Locator(".field-error[data-field=secret]").WaitForAsync();
        Assert.Equal(officer.Office, await form.GetByLabel("机构代码").InputValueAsync());
        await county.ScreenshotAsync("71-subscription-field-error");

        // A WeCom group robot, which needs no secret of its own (its key is in the URL).
        await form.GetByLabel("格式").SelectOptionAsync("wecom");
        await form.GetByLabel("推送地址").FillAsync("https://qyapi.weixin.example/cgi-bin/webhook/send?key=e2e-robot-key-0123456789");
        await form.Locator("[data-testid=subscribe]").ClickAsync();
        await page.WaitForURLAsync("**/notifications/subscriptions?saved=1");
        var row = page.Locator($"[data-testid=subscription-row][data-office='{officer.Office}'][data-kind=urgent_case][data-format=wecom]");
        await row.WaitForAsync();
        var target = await row.Locator("[data-testid=subscription-target]").InnerTextAsync();
        Assert.DoesNotContain("e2e-robot-key-0123456789", target, StringComparison.Ordinal);
        await county.ScreenshotAsync("72-subscription-listed");

        // The delivery log, filtered; it answers with its table or says there is nothing (never an error).
        await page.Locator("[data-testid=nav]").GetByRole(AriaRole.Link, new() { Name = "送达记录" }).ClickAsync();
        await page.WaitForURLAsync("**/notifications/deliveries");
        var filter = page.Locator("[data-testid=delivery-filter]");
        await filter.GetByLabel("状态").SelectOptionAsync("failed");
        await filter.GetByLabel("渠道").SelectOptionAsync("webhook");
        await filter.GetByRole(AriaRole.Button, new() { Name = "筛选" }).ClickAsync();
        await page.WaitForURLAsync("**/notifications/deliveries?*status=failed*");
        await page.Locator("[data-testid=deliveries], [data-testid=no-deliveries]").First.WaitForAsync();
        Assert.Equal(0, await page.Locator("[data-testid=notice]").CountAsync());
        await county.ScreenshotAsync("73-delivery-log");

        // Unsubscribed: gone from the list (and nothing is sent to the group any more).
        await page.GotoAsync("/notifications/subscriptions");
        await row.Locator("[data-testid=unsubscribe]").ClickAsync();
        await page.WaitForURLAsync("**/notifications/subscriptions?removed=1");
        Assert.Equal(0, await row.CountAsync());
        Assert.True(county.ConsoleErrors.Count == 0, string.Join("\n", county.ConsoleErrors));
    }

    [Fact]
    public async Task Nobody_signed_in_and_an_auditor_get_no_desk_feed()
    {
        await using var anonymous = await browser.OpenAsync(Stack.PortalAddress);
        var stream = await anonymous.Context.APIRequest.GetAsync("/desk/stream", new() { MaxRedirects = 0 });
        Assert.Equal(204, stream.Status);

        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.Auditor());
        await using var auditor = await browser.OpenAsync(Stack.PortalAddress);
        await auditor.SignInAsync(userName, password, "/");
        Assert.Equal(0, await auditor.Page.Locator("[data-testid=desk-feed]").CountAsync());
        var refused = await auditor.Context.APIRequest.GetAsync("/desk/stream", new() { MaxRedirects = 0 });
        Assert.Equal(204, refused.Status);
        Assert.True(auditor.ConsoleErrors.Count == 0, string.Join("\n", auditor.ConsoleErrors));
    }
}
