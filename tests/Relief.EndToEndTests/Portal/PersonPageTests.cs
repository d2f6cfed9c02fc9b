using System.Net.Http.Json;
using System.Text.Json;
using Relief.Testing;

namespace Relief.EndToEndTests.Portal;

/// <summary>
/// The register of persons in Chromium, through the whole stack: a county officer finds two lookalike records of one
/// man, confirms they are one person, sees both visits on his page, and splits a wrong one off again.
/// </summary>
[Collection(nameof(SharedStack))]
public sealed class PersonPageTests(SharedStack shared, PortalBrowser browser) : IClassFixture<PortalBrowser>
{
    private ReliefStack Stack => shared.Stack;

    private async Task<Guid> RegisterAsync(string name, int age)
    {
        using var intake = await Stack.CreateClientAsync("intake", TestUsers.PointStaff());
        using var response = await intake.PostAsJsonAsync("/api/cases", new
        {
            servicePointCode = TestUsers.YanhuPoint, countyCode = "140802", channel = "WalkIn", personName = name, sex = "Male",
            estimatedAge = age, need = "TravelVoucher",
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task A_county_officer_confirms_a_candidate_sees_every_visit_on_the_person_page_and_splits_one_off()
    {
        var name = "页测" + (char)(0x4E00 + Random.Shared.Next(0, 20000)) + (char)(0x4E00 + Random.Shared.Next(0, 20000));
        var first = await RegisterAsync(name, 66);
        var second = await RegisterAsync(name, 67);
        var data = new StackData(Stack);
        try
        {
        await Eventually.TrueAsync(async () => await data.ScalarAsync<long>("registrydb",
            "select count(*) from person_links l join person_cases c on c.person_id in (l.person_id, l.other_id) where c.case_id = @second and l.status = 'candidate'",
            new { second }) == 1, "Registry proposes the two records as one person", TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException e)
        {
            var seen = await data.QueryAsync<string>("registrydb",
                "select p.id || ' ' || coalesce(p.name, '-') || ' ' || p.sex || ' ' || coalesce(p.estimated_age::text, '-') || ' ' || c.case_id from persons p join person_cases c on c.person_id = p.id where c.case_id in (@first, @second)",
                new { first, second });
            throw new TimeoutException($"{e.Message} Registry holds: {string.Join(" | ", seen)}", e);
        }

        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.CountyOfficer("140802"));
        await using var session = await browser.OpenAsync(Stack.PortalAddress);
        await session.SignInAsync(userName, password, $"/persons?candidates=true&name={Uri.EscapeDataString(name)}");
        await session.Page.Locator("[data-testid=persons] [data-testid=open-person]").First.ClickAsync();
        await session.Page.Locator("[data-testid=candidates]").WaitForAsync();
        await session.ScreenshotAsync("30-person-candidates");
        await session.Page.Locator("[data-testid=candidates] [data-testid=confirm]").First.ClickAsync();

        await session.Page.Locator("[data-testid=notice]", new() { HasText = "已合并为同一人" }).WaitForAsync();
        Assert.Equal(2, await session.Page.Locator("[data-testid=cases] tbody tr").CountAsync());
        // Two travel vouchers within a month: the page says so.
        Assert.Contains("2", await session.Page.Locator("[data-testid=signal]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await session.Page.Locator("[data-testid=candidates]").CountAsync());
        await session.ScreenshotAsync("31-person-merged");

        // The second visit was somebody else after all: split it off.
        await session.Page.Locator("[data-testid=cases] input[type=checkbox]").First.CheckAsync();
        await session.Page.Locator("[data-testid=split]").ClickAsync();
        await session.Page.Locator("[data-testid=notice]", new() { HasText = "已拆分为另一个人" }).WaitForAsync();
        Assert.Equal(1, await session.Page.Locator("[data-testid=cases] tbody tr").CountAsync());
        Assert.Equal(1, await session.Page.Locator("[data-testid=kept-apart] li").CountAsync());
        Assert.Equal(2, await data.ScalarAsync<long>("registrydb",
            "select count(distinct person_id) from person_cases where case_id in (@first, @second)", new { first, second }));
        Assert.True(session.ConsoleErrors.Count == 0, string.Join("\n", session.ConsoleErrors));
    }
}
