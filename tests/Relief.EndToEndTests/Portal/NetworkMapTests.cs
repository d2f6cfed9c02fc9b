using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Relief.Ops;
using Relief.Testing;

namespace Relief.EndToEndTests.Portal;

/// <summary>
/// The network's pages in Chromium, over the demo network loaded through Registry's API: the distribution map, its
/// filters, the nearest-point finder, and a county officer's edit showing on the map.
/// </summary>
[Collection(nameof(SharedStack))]
public sealed class NetworkMapTests(SharedStack shared, PortalBrowser browser) : IClassFixture<PortalBrowser>
{
    private ReliefStack Stack => shared.Stack;

    private async Task<IReadOnlyList<DemoNetwork.DemoPoint>> LoadDemoNetworkAsync()
    {
        using var registry = Stack.App.CreateHttpClient("registry");
        registry.DefaultRequestHeaders.Authorization = new("Bearer", await Stack.SignIn.TokenAsync(TestUsers.CityAdministrator()));
        var points = DemoNetwork.Generate(CountyOutlines.Load());
        await DemoNetwork.LoadAsync(registry, points, CancellationToken.None);
        return points;
    }

    [Fact]
    public async Task The_map_draws_the_counties_and_the_networks_markers_its_filters_change_them_and_the_finder_lists_the_nearest()
    {
        var points = await LoadDemoNetworkAsync();
        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.HotlineOperator());
        await using var session = await browser.OpenAsync(Stack.PortalAddress);
        await session.SignInAsync(userName, password, "/network/map");

        var map = session.Page.Locator("[data-testid=network-map]");
        await session.Page.Locator("[data-testid=network-map][data-ready=true]").WaitForAsync();
        Assert.Equal("13", await map.GetAttributeAsync("data-counties"));
        var all = int.Parse((await map.GetAttributeAsync("data-markers"))!, CultureInfo.InvariantCulture);
        Assert.True(all >= points.Count(p => p.Status != "closed"), $"{all} markers for {points.Count} demo points");
        await session.ScreenshotAsync("20-network-map");

        await session.Page.Locator("#map-filters select[name=kind]").SelectOptionAsync("relief_station");
        Assert.Equal("13", await map.GetAttributeAsync("data-markers"));
        await session.Page.Locator("#map-filters select[name=county]").SelectOptionAsync("140802");
        Assert.Equal("1", await map.GetAttributeAsync("data-markers"));
        await session.ScreenshotAsync("21-network-map-filtered");

        // The finder, at Yanhu's relief station (open day and night, embedded): it comes first, a few metres away.
        var station = points.Single(p => p.Code == "DEMO-140802-JZZ-001");
        await session.Page.Locator("#finder input[name=lon]").FillAsync(station.Longitude.ToString(CultureInfo.InvariantCulture));
        await session.Page.Locator("#finder input[name=lat]").FillAsync(station.Latitude.ToString(CultureInfo.InvariantCulture));
        await session.Page.Locator("#finder select[name=service]").SelectOptionAsync("shelter");
        await session.Page.Locator("#finder button").ClickAsync();
        var first = session.Page.Locator("[data-testid=nearest] li").First;
        Assert.Equal(station.Code, await first.GetAttributeAsync("data-code"));
        Assert.True(await session.Page.Locator("[data-testid=nearest] li").CountAsync() > 1);
        await session.Page.Locator("[data-testid=network-map][data-ready=true]").WaitForAsync();
        await session.ScreenshotAsync("22-nearest-finder");
        Assert.True(session.ConsoleErrors.Count == 0, string.Join("\n", session.ConsoleErrors));
    }

    [Fact]
    public async Task A_county_officer_suspends_a_point_and_sees_it_among_the_suspended_on_the_map()
    {
        var points = await LoadDemoNetworkAsync();
        var (userName, password) = await Stack.SignIn.NewUserAsync(TestUsers.CountyOfficer("140802"));
        await using var session = await browser.OpenAsync(Stack.PortalAddress);
        await session.SignInAsync(userName, password, "/network/map");
        await session.Page.Locator("[data-testid=network-map][data-ready=true]").WaitForAsync();
        await session.Page.Locator("#map-filters select[name=county]").SelectOptionAsync("140802");
        await session.Page.Locator("#map-filters select[name=status]").SelectOptionAsync("suspended");
        var before = int.Parse((await session.Page.Locator("[data-testid=network-map]").GetAttributeAsync("data-markers"))!, CultureInfo.InvariantCulture);

        // An embedded point of their county that no other test touches.
        var point = points.First(p => p.CountyCode == "140802" && p.Status == "embedded" && p.Kind == "love_station");
        await session.Page.GotoAsync($"/network/points/{point.Code}");
        await session.Page.Locator("#name").FillAsync(point.Name + "（已核对）");
        await session.Page.Locator("[data-testid=save]").ClickAsync();
        await session.Page.WaitForURLAsync("**/network/points?saved=*");
        await session.Page.GotoAsync($"/network/points/{point.Code}");
        await session.Page.Locator("#status").SelectOptionAsync("suspended");
        await session.Page.Locator("#note").FillAsync("维修");
        await session.Page.Locator("[data-testid=change-status]").ClickAsync();
        Assert.Contains("维修", await session.Page.Locator("[data-testid=history]").InnerTextAsync(), StringComparison.Ordinal);
        await session.ScreenshotAsync("23-service-point");

        await session.Page.GotoAsync("/network/map");
        await session.Page.Locator("[data-testid=network-map][data-ready=true]").WaitForAsync();
        await session.Page.Locator("#map-filters select[name=county]").SelectOptionAsync("140802");
        await session.Page.Locator("#map-filters select[name=status]").SelectOptionAsync("suspended");
        Assert.Equal((before + 1).ToString(CultureInfo.InvariantCulture), await session.Page.Locator("[data-testid=network-map]").GetAttributeAsync("data-markers"));
        Assert.True(session.ConsoleErrors.Count == 0, string.Join("\n", session.ConsoleErrors));
    }
}
