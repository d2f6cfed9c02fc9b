using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using Relief.ServiceDefaults.Authentication;
using Relief.Testing;

namespace Relief.EndToEndTests.Portal;

/// <summary>
/// The staff portal in Debian's Chromium, against the whole stack the AppHost starts: sign-in at the authority,
/// administration of offices and users, what each role sees, and the session's security promises.
/// </summary>
[Collection(nameof(SharedStack))]
public sealed class PortalTests(SharedStack shared, PortalBrowser browser) : IClassFixture<PortalBrowser>
{
    private ReliefStack Stack => shared.Stack;

    [Fact]
    public async Task The_city_administrator_creates_an_office_and_a_user_who_then_sees_only_their_own_navigation()
    {
        await using var admin = await browser.OpenAsync(Stack.PortalAddress);
        await admin.Page.GotoAsync("/");
        Assert.Contains("/account/login", admin.Page.Url, StringComparison.Ordinal);
        Assert.Equal("运城市临时救助系统", await admin.Page.Locator("h1").InnerTextAsync());
        await admin.ScreenshotAsync("01-sign-in");

        await admin.SignInAsync("admin", ReliefStack.AdminPassword);
        var who = await admin.Page.Locator("[data-testid=who]").InnerTextAsync();
        Assert.Contains("admin", who, StringComparison.Ordinal);
        Assert.Contains("市级系统管理员", who, StringComparison.Ordinal);
        Assert.Contains("运城市", who, StringComparison.Ordinal);
        Assert.Equal(["首页", "问询登记", "案件", "转介收件箱", "延期审批", "寻亲", "值班台通知", "通知订阅", "送达记录", "分布图", "服务点", "救助对象", "统计报表", "全市看板", "机构管理", "用户管理", "签名密钥", "分类规则", "修改密码"], await NavigationAsync(admin.Page));
        await admin.ScreenshotAsync("02-home-administrator");

        // An office: first with nothing filled in, and the authority's reasons appear beside the fields.
        await admin.Page.Locator("[data-testid=nav] a", new() { HasText = "机构管理" }).ClickAsync();
        await admin.Page.Locator("[data-testid=new-office]").ClickAsync();
        await admin.Page.Locator("[data-testid=save]").ClickAsync();
        Assert.NotEmpty(await admin.Page.Locator(".field-error[data-field=code]").AllInnerTextsAsync());
        Assert.NotEmpty(await admin.Page.Locator(".field-error[data-field=countyCode]").AllInnerTextsAsync());
        await admin.ScreenshotAsync("03-office-field-errors");

        await admin.Page.Locator("#code").FillAsync("PW-LOVE-01");
        await admin.Page.Locator("#name").FillAsync("盐湖区北城街道爱心驿站");
        await admin.Page.Locator("#kind").SelectOptionAsync("service_point");
        await admin.Page.Locator("#county").SelectOptionAsync("140802");
        await admin.Page.Locator("[data-testid=save]").ClickAsync();
        await admin.Page.WaitForURLAsync("**/admin/offices?saved=PW-LOVE-01");
        Assert.Contains("PW-LOVE-01", await admin.Page.Locator("[data-testid=offices]").InnerTextAsync(), StringComparison.Ordinal);

        // Filters by county and kind.
        await admin.Page.Locator("select[name=county]").SelectOptionAsync("140821");
        await admin.Page.Locator(".filters button").ClickAsync();
        Assert.DoesNotContain("PW-LOVE-01", await admin.Page.Locator("[data-testid=offices]").InnerTextAsync(), StringComparison.Ordinal);
        await admin.Page.GotoAsync("/admin/offices?county=140802&kind=service_point");
        Assert.Contains("PW-LOVE-01", await admin.Page.Locator("[data-testid=offices]").InnerTextAsync(), StringComparison.Ordinal);
        await admin.ScreenshotAsync("04-offices");

        // A user whose role does not fit the office's kind is refused, with the reason beside the role.
        await admin.Page.GotoAsync("/admin/users/new");
        await admin.Page.Locator("#userName").FillAsync("pw.staff");
        await admin.Page.Locator("#password").FillAsync("a-long-password-1");
        await admin.Page.Locator("#office").SelectOptionAsync("PW-LOVE-01");
        await admin.Page.Locator("#role").SelectOptionAsync(ReliefRoles.StationStaff);
        await admin.Page.Locator("[data-testid=save]").ClickAsync();
        Assert.NotEmpty(await admin.Page.Locator(".field-error[data-field=role]").AllInnerTextsAsync());
        await admin.ScreenshotAsync("05-user-field-errors");

        await admin.Page.Locator("#password").FillAsync("a-long-password-1");
        await admin.Page.Locator("#role").SelectOptionAsync(ReliefRoles.PointStaff);
        await admin.Page.Locator("[data-testid=save]").ClickAsync();
        await admin.Page.WaitForURLAsync("**/admin/users?saved=pw.staff");
        Assert.Contains("pw.staff", await admin.Page.Locator("[data-testid=users]").InnerTextAsync(), StringComparison.Ordinal);
        await admin.ScreenshotAsync("06-users");
        await admin.Page.GotoAsync("/admin/signing-keys");
        await admin.ScreenshotAsync("07-signing-keys");

        // The new user signs in at their own PC and sees only what their role may use.
        await using var staff = await browser.OpenAsync(Stack.PortalAddress);
        await staff.SignInAsync("pw.staff", "a-long-password-1");
        Assert.Equal(["首页", "问询登记", "案件", "寻人登记", "值班台通知", "分布图", "救助对象", "统计报表", "修改密码"], await NavigationAsync(staff.Page));
        var staffWho = await staff.Page.Locator("[data-testid=who]").InnerTextAsync();
        Assert.Contains("服务点工作人员", staffWho, StringComparison.Ordinal);
        Assert.Contains("PW-LOVE-01", staffWho, StringComparison.Ordinal);
        Assert.Contains("盐湖区", staffWho, StringComparison.Ordinal);
        await staff.ScreenshotAsync("08-home-point-staff");

        await staff.Page.GotoAsync("/admin/users");
        Assert.Contains("/forbidden", staff.Page.Url, StringComparison.Ordinal);
        Assert.Equal("无权访问", await staff.Page.Locator("[data-testid=forbidden]").InnerTextAsync());
        Assert.DoesNotContain("pw.staff", await staff.Page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await staff.ScreenshotAsync("09-forbidden");

        // My account: the user changes their password.
        await staff.Page.GotoAsync("/account/password");
        await staff.Page.Locator("#currentPassword").FillAsync("a-long-password-1");
        await staff.Page.Locator("#newPassword").FillAsync("another-long-password-2");
        await staff.Page.Locator("[data-testid=save]").ClickAsync();
        Assert.Contains("密码已修改", await staff.Page.Locator("[data-testid=notice]").InnerTextAsync(), StringComparison.Ordinal);
        await staff.ScreenshotAsync("10-my-password");

        // A tablet at a station counter: the same pages in 768 px.
        await using var tablet = await browser.OpenAsync(Stack.PortalAddress, width: 768, height: 1024);
        await tablet.SignInAsync("admin", ReliefStack.AdminPassword, "/admin/offices");
        Assert.Contains("PW-LOVE-01", await tablet.Page.Locator("[data-testid=offices]").InnerTextAsync(), StringComparison.Ordinal);
        var overflow = await tablet.Page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, "the offices page is wider than a 768 px tablet");
        await tablet.ScreenshotAsync("11-offices-tablet");

        // English on request.
        await admin.Page.GotoAsync("/culture/en?returnUrl=/admin/users");
        Assert.Equal("Users", await admin.Page.Locator("h1").InnerTextAsync());
        await admin.ScreenshotAsync("12-users-english");
        // The language link goes back to a page of the portal only, never to another site.
        await admin.Page.GotoAsync("/culture/zh-CN?returnUrl=//example.org/");
        Assert.Equal(Stack.PortalAddress.GetLeftPart(UriPartial.Authority) + "/", admin.Page.Url);
        Assert.Equal("欢迎，admin", await admin.Page.Locator("h1").InnerTextAsync());

        var errors = admin.ConsoleErrors.Concat(staff.ConsoleErrors).Concat(tablet.ConsoleErrors).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task A_wrong_password_is_told_in_Chinese_and_the_fifth_locks_the_account()
    {
        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.PointStaff());
        await using var session = await browser.OpenAsync(Stack.PortalAddress);
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            Assert.Equal("用户名或密码错误。", await session.TrySignInAsync(userName, "not-the-password"));
        }

        await session.ScreenshotAsync("13-wrong-password");
        Assert.Contains("账户已被锁定", await session.TrySignInAsync(userName, "not-the-password"), StringComparison.Ordinal);
        // Locked: even the right password is refused until the lock-out ends or an administrator lifts it.
        Assert.Contains("账户已被锁定", await session.TrySignInAsync(userName, password), StringComparison.Ordinal);
        await session.ScreenshotAsync("14-locked-out");
        Assert.True(session.ConsoleErrors.Count == 0, string.Join("\n", session.ConsoleErrors));
    }

    [Fact]
    public async Task A_disabled_users_session_ends_at_its_next_check_and_they_cannot_sign_in_again()
    {
        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.PointStaff());
        await using var session = await browser.OpenAsync(Stack.PortalAddress);
        await session.SignInAsync(userName, password);

        using (var identity = Stack.App.CreateHttpClient("identity"))
        {
            identity.DefaultRequestHeaders.Authorization = new("Bearer", await Stack.SignIn.AdminTokenAsync());
            var users = await identity.GetFromJsonAsync<List<UserRow>>("/api/admin/users");
            var id = users!.Single(u => u.UserName == userName).Id;
            using var disabled = await identity.PostAsync($"/api/admin/users/{id}/disable", null);
            disabled.EnsureSuccessStatusCode();
        }

        // The portal re-checks the session every 3 s in this stack (ReliefStack); wait for the refusal to land.
        await Eventually.TrueAsync(async () =>
        {
            await session.Page.GotoAsync("/account/password");
            return session.Page.Url.Contains("/account/login", StringComparison.Ordinal);
        }, "the disabled user's portal session ends", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1));

        Assert.Equal("该账户已停用，请联系系统管理员。", await session.TrySignInAsync(userName, password));
        await session.ScreenshotAsync("15-disabled");
    }

    [Fact]
    public async Task No_token_reaches_the_browser_and_the_session_cookie_is_HttpOnly_and_SameSite()
    {
        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.PointStaff());
        await using var session = await browser.OpenAsync(Stack.PortalAddress);
        await session.SignInAsync(userName, password);

        var storage = await session.Page.EvaluateAsync<string>(
            "JSON.stringify([document.cookie, Object.entries(localStorage), Object.entries(sessionStorage)])");
        Assert.DoesNotContain("eyJ", storage, StringComparison.Ordinal); // any JWT, access or identity token
        Assert.DoesNotContain("relief.portal", storage, StringComparison.Ordinal);

        var cookies = await session.Context.CookiesAsync([Stack.PortalAddress.ToString()]);
        var portalCookie = Assert.Single(cookies, c => c.Name == "relief.portal");
        Assert.True(portalCookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, portalCookie.SameSite);
        // The cookie names a session kept on the server: it is small and holds no token.
        Assert.True(portalCookie.Value.Length < 1000, $"the session cookie is {portalCookie.Value.Length} characters");
        Assert.All(cookies, cookie => Assert.DoesNotContain("eyJ", cookie.Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pages_send_a_policy_without_inline_scripts_and_forms_without_their_antiforgery_token_are_refused()
    {
        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.PointStaff());
        await using var session = await browser.OpenAsync(Stack.PortalAddress);
        await session.SignInAsync(userName, password);

        foreach (var path in new[] { "/", "/account/password", "/forbidden", "/signed-out" })
        {
            var response = await session.Page.GotoAsync(path);
            var policy = await response!.HeaderValueAsync("content-security-policy");
            Assert.NotNull(policy);
            Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
            Assert.Contains("no-store", await response.HeaderValueAsync("cache-control") ?? "", StringComparison.Ordinal);
            Assert.Equal(0, await session.Page.Locator("script:not([src])").CountAsync());
        }

        // The same forms, posted by a page of another site: the session cookie goes along, the token does not.
        var changePassword = await session.Context.APIRequest.PostAsync("/account/password", new APIRequestContextOptions
        {
            Form = FormOf(("_handler", "password"), ("Form.CurrentPassword", password), ("Form.NewPassword", "a-forged-new-password")),
            MaxRedirects = 0,
        });
        Assert.True(changePassword.Status == 400, $"{changePassword.Status} {changePassword.Headers.GetValueOrDefault("location")}");
        var signOut = await session.Context.APIRequest.PostAsync("/account/signout", new APIRequestContextOptions { MaxRedirects = 0 });
        Assert.Equal(400, signOut.Status);
        signOut = await session.Context.APIRequest.PostAsync("/account/signout", new APIRequestContextOptions
        {
            Form = FormOf(("returnUrl", "/")),
            MaxRedirects = 0,
        });
        Assert.Equal(400, signOut.Status);

        // Still signed in with the old password: nothing was changed.
        await session.Page.GotoAsync("/");
        Assert.Contains(userName, await session.Page.Locator("[data-testid=who]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(session.ConsoleErrors.Count == 0, string.Join("\n", session.ConsoleErrors));

        IFormData FormOf(params (string Name, string Value)[] fields)
        {
            var form = session.Context.APIRequest.CreateFormData();
            foreach (var (name, value) in fields)
            {
                form.Set(name, value);
            }

            return form;
        }
    }

    [Fact]
    public async Task After_sign_out_the_back_button_shows_nothing_private_and_the_authority_session_is_over()
    {
        await using var session = await browser.OpenAsync(Stack.PortalAddress);
        await session.SignInAsync("admin", ReliefStack.AdminPassword, "/admin/users");
        Assert.Contains("admin", await session.Page.Locator("[data-testid=users]").InnerTextAsync(), StringComparison.Ordinal);

        await session.Page.Locator("[data-testid=signout]").ClickAsync();
        await session.Page.Locator("[data-testid=signed-out]").WaitForAsync();
        await session.ScreenshotAsync("16-signed-out");

        await session.Page.GoBackAsync();
        Assert.Equal(0, await session.Page.Locator("[data-testid=users]").CountAsync());
        Assert.DoesNotContain("[data-testid=who]", await session.Page.ContentAsync(), StringComparison.Ordinal);

        // The authority's own session ended too: the portal asks for the password again.
        await session.Page.GotoAsync("/admin/users");
        Assert.Contains("/account/login", session.Page.Url, StringComparison.Ordinal);
        Assert.True(session.ConsoleErrors.Count == 0, string.Join("\n", session.ConsoleErrors));
    }

    private static async Task<string[]> NavigationAsync(IPage page) =>
        [.. (await page.Locator("[data-testid=nav] a").AllInnerTextsAsync()).Select(text => text.Trim())];

    private sealed record UserRow(string Id, string UserName);
}
