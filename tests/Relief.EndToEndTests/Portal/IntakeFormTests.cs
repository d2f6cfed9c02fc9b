using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Relief.Testing;

namespace Relief.EndToEndTests.Portal;

/// <summary>
/// The intake form in Chromium through the whole stack: an unidentified elderly man registered with the keyboard alone,
/// the case number read off the page, the case found in the list; the server's field errors beside the fields; a draft
/// that survives a reload; a double click that makes one case.
/// </summary>
[Collection(nameof(SharedStack))]
public sealed partial class IntakeFormTests(SharedStack shared, PortalBrowser browser) : IClassFixture<PortalBrowser>
{
    private ReliefStack Stack => shared.Stack;

    private async Task<PortalSession> PointStaffAtTheFormAsync()
    {
        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.PointStaff());
        var session = await browser.OpenAsync(Stack.PortalAddress);
        await session.SignInAsync(userName, password, "/cases/new");
        await session.Page.Locator("[data-testid=intake-form]").WaitForAsync();
        return session;
    }

    /// <summary>Presses Tab until the focus is on the field named (its id, or a checkbox's value) — the keyboard only.</summary>
    private static async Task TabToAsync(IPage page, string field)
    {
        for (var presses = 0; presses < 80; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("f => { const e = document.activeElement; return !!e && (e.id === f || (e.type === 'checkbox' && e.value === f)); }", field))
            {
                return;
            }
        }

        throw new InvalidOperationException($"Tab never reached {field}.");
    }

    /// <summary>Moves a focused select with the arrow keys until it shows <paramref name="value"/>.</summary>
    private static async Task ArrowToAsync(IPage page, string value, string key = "ArrowDown")
    {
        for (var presses = 0; presses < 12 && await page.EvaluateAsync<string>("() => document.activeElement.value") != value; presses++)
        {
            await page.Keyboard.PressAsync(key);
        }

        Assert.Equal(value, await page.EvaluateAsync<string>("() => document.activeElement.value"));
    }

    [Fact]
    public async Task Point_staff_register_an_unidentified_elderly_man_with_the_keyboard_alone_and_find_the_case_in_the_list()
    {
        await using var session = await PointStaffAtTheFormAsync();
        var page = session.Page;
        var place = $"运城站广场东侧 {Guid.NewGuid():N}"[..20];

        // The name field has the focus; he cannot say his name.
        Assert.Equal("personName", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await TabToAsync(page, "nameUnknown");
        await page.Keyboard.PressAsync("Space");
        await TabToAsync(page, "sex");
        await ArrowToAsync(page, "Male", "ArrowUp");
        await TabToAsync(page, "estimatedAge");
        await page.Keyboard.TypeAsync("80");
        await TabToAsync(page, "need");
        await ArrowToAsync(page, "Referral");
        // Relatives and belongings are not asked of everyone: the section appears as his situation calls for it.
        Assert.False(await page.Locator("[data-section=more]").IsVisibleAsync());
        await TabToAsync(page, "wandering");
        await page.Keyboard.PressAsync("Space");
        await TabToAsync(page, "elderly_alone");
        await page.Keyboard.PressAsync("Space");
        await page.Locator("[data-section=more]").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        await page.Locator("[data-guidance=escort]").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.False(await page.Locator("[data-guidance=minor]").IsVisibleAsync());
        await TabToAsync(page, "family_search");
        await page.Keyboard.PressAsync("Space");
        await TabToAsync(page, "place");
        await page.Keyboard.TypeAsync(place);
        await session.ScreenshotAsync("40-intake-form");
        await TabToAsync(page, "register-button");
        await page.Keyboard.PressAsync("Enter");

        await page.WaitForURLAsync(new Regex("/cases/[0-9a-f-]{36}\\?registered=1$"));
        var number = (await page.Locator("[data-testid=case-number] strong").InnerTextAsync()).Trim();
        Assert.Matches(CaseNumber(), number);
        Assert.Contains("不详", await page.Locator("[data-testid=case-person]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("独自在外的老人", await page.Locator("[data-testid=case-situation]").InnerTextAsync(), StringComparison.Ordinal);
        await session.ScreenshotAsync("41-case-registered");

        await page.Locator("[data-testid=nav] a", new() { HasText = "案件" }).First.ClickAsync();
        var row = page.Locator($"[data-testid=cases] tr[data-case-number='{number}']");
        await row.WaitForAsync();
        await session.ScreenshotAsync("42-case-list");
        await row.Locator("[data-testid=open-case]").ClickAsync();
        Assert.Equal(number, (await page.Locator("[data-testid=case-number] strong").InnerTextAsync()).Trim());
        Assert.Contains(place, await page.Locator("[data-testid=case-situation]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(session.ConsoleErrors.Count == 0, string.Join("\n", session.ConsoleErrors));
    }

    [Fact]
    public async Task The_servers_field_error_shows_beside_the_field_and_what_was_typed_stays()
    {
        await using var session = await PointStaffAtTheFormAsync();
        var page = session.Page;
        await page.Locator("#personName").FillAsync("孙有误");
        await page.Locator("#phone").FillAsync("call me maybe");
        await page.Locator("#need").SelectOptionAsync("Food");
        await page.Locator("[data-testid=register]").ClickAsync();

        var error = page.Locator(".field-error[data-field=phone]");
        await error.WaitForAsync();
        Assert.Contains("digits", await error.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("孙有误", await page.Locator("#personName").InputValueAsync());
        Assert.Equal("Food", await page.Locator("#need").InputValueAsync());
        await session.ScreenshotAsync("43-intake-field-error");
    }

    [Fact]
    public async Task A_reload_keeps_the_draft_and_a_double_click_on_submit_makes_one_case()
    {
        await using var session = await PointStaffAtTheFormAsync();
        var page = session.Page;
        var marker = $"双击 {Guid.NewGuid():N}";
        await page.Locator("#personName").FillAsync("周草稿");
        await page.Locator("#estimatedAge").FillAsync("77");
        await page.Locator("#circumstances").FillAsync(marker);
        await page.Locator("input[name=situations][value=lost_phone]").CheckAsync();

        await page.ReloadAsync();

        Assert.Equal("周草稿", await page.Locator("#personName").InputValueAsync());
        Assert.Equal("77", await page.Locator("#estimatedAge").InputValueAsync());
        Assert.Equal(marker, await page.Locator("#circumstances").InputValueAsync());
        Assert.True(await page.Locator("input[name=situations][value=lost_phone]").IsCheckedAsync());

        await page.Locator("#need").SelectOptionAsync("TravelVoucher");
        await page.Locator("[data-testid=register]").DblClickAsync();
        await page.WaitForURLAsync(new Regex("/cases/[0-9a-f-]{36}\\?registered=1$"));

        var data = new StackData(Stack);
        Assert.Equal(1, await data.ScalarAsync<long>("intakedb", "select count(*) from cases where circumstances = @marker", new { marker }));
        // Registered: the draft is gone, the next form starts empty.
        await page.GotoAsync("/cases/new");
        Assert.Equal("", await page.Locator("#circumstances").InputValueAsync());
    }

    [Fact]
    public async Task Staff_confirm_an_identity_on_the_case_page_and_see_it_in_the_history()
    {
        await using var session = await PointStaffAtTheFormAsync();
        var page = session.Page;
        await page.Locator("#personName").FillAsync("吴确认");
        await page.Locator("#idNumber").FillAsync("11010519491231002X");
        // Checked as typed: sex and birth date come from the number.
        await page.Locator("#idNumber-hint.good").WaitForAsync();
        Assert.Equal("Female", await page.Locator("#sex").InputValueAsync());
        Assert.Equal("1949-12-31", await page.Locator("#birthDate").InputValueAsync());
        // A Yuncheng number names its county as the household place.
        await page.Locator("#householdPlace").FillAsync("");
        await page.Locator("#idNumber").FillAsync("");
        await page.Locator("#idNumber").PressSequentiallyAsync("14080219560301002" + Relief.ServiceDefaults.PersonalData.ResidentIdNumber.CheckCharacter("14080219560301002"));
        Assert.Equal("山西省运城市盐湖区", await page.Locator("#householdPlace").InputValueAsync());
        await page.Locator("#idNumber").FillAsync("11010519491231002X");
        await page.Locator("#need").SelectOptionAsync("TravelVoucher");
        await page.Locator("[data-testid=register]").ClickAsync();
        await page.WaitForURLAsync(new Regex("/cases/[0-9a-f-]{36}\\?registered=1$"));

        await page.Locator("#method").SelectOptionAsync("id_card_checked");
        await page.Locator("[data-testid=confirm-identity]").ClickAsync();

        await page.Locator("[data-testid=case-history] li", new() { HasText = "已核验身份证" }).WaitForAsync();
        Assert.Contains("已核验身份证", await page.Locator("[data-testid=case-person]").InnerTextAsync(), StringComparison.Ordinal);
        await session.ScreenshotAsync("44-identity-confirmed");
    }

    [Fact]
    public async Task A_county_officer_sees_the_whole_ID_number_only_after_stating_a_purpose_and_the_read_is_audited()
    {
        using var intake = await Stack.CreateClientAsync("intake", TestUsers.PointStaff());
        var idNumber = "440524188001010014";
        using var registered = await intake.PostAsJsonAsync("/api/cases", new
        {
            servicePointCode = TestUsers.YanhuPoint, countyCode = "140802", channel = "WalkIn", need = "Referral", personName = "钱审计", idNumber,
        });
        var caseId = (await registered.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.CountyOfficer("140802"));
        await using var session = await browser.OpenAsync(Stack.PortalAddress);
        await session.SignInAsync(userName, password, $"/cases/{caseId}");

        Assert.Equal("440524********0014", (await session.Page.Locator("[data-testid=id-number]").InnerTextAsync()).Trim());
        await session.Page.Locator("[data-testid=reveal-form] input[name=purpose]").FillAsync("联系户籍地民政部门");
        await session.Page.Locator("[data-testid=reveal]").ClickAsync();

        await session.Page.Locator("[data-testid=id-number]", new() { HasText = idNumber }).WaitForAsync();
        var data = new StackData(Stack);
        Assert.Equal(1, await data.ScalarAsync<long>("intakedb",
            "select count(*) from audit_log where action = 'reveal_id_number' and subject = @caseId and purpose = '联系户籍地民政部门'",
            new { caseId = caseId.ToString() }));
    }

    [Fact]
    public async Task An_unidentified_man_is_completed_later_on_the_case_page_and_the_change_shows_in_its_history()
    {
        using var intake = await Stack.CreateClientAsync("intake", TestUsers.PointStaff());
        using var registered = await intake.PostAsJsonAsync("/api/cases", new
        {
            servicePointCode = TestUsers.YanhuPoint, countyCode = "140802", channel = "WalkIn", need = "Referral", sex = "Male", estimatedAge = 75,
        });
        var caseId = (await registered.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.PointStaff());
        await using var session = await browser.OpenAsync(Stack.PortalAddress);
        await session.SignInAsync(userName, password, $"/cases/{caseId}");

        await session.Page.Locator("[data-testid=edit-case]").ClickAsync();
        await session.Page.Locator("#personName").FillAsync("郭后补");
        await session.Page.Locator("#householdPlace").FillAsync("山西省运城市盐湖区");
        await session.Page.Locator("[data-testid=save]").ClickAsync();

        await session.Page.WaitForURLAsync($"**/cases/{caseId}");
        Assert.Contains("郭**", await session.Page.Locator("[data-testid=case-person]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("姓名", await session.Page.Locator("[data-testid=case-history] li[data-action=updated]").InnerTextAsync(), StringComparison.Ordinal);
        await session.ScreenshotAsync("45-case-completed");
    }

    [GeneratedRegex(@"^140802-\d{8}-\d{4}$")]
    private static partial Regex CaseNumber();
}
