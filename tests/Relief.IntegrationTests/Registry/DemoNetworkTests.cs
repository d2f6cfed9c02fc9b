using System.Net.Http.Json;
using System.Text.Json;
using Relief.IntegrationTests.Infrastructure;
using Relief.Ops;
using Relief.Registry;
using Relief.Testing;

namespace Relief.IntegrationTests.Registry;

/// <summary>The demo network (scripts/ops.sh demo-network): the domain's counts, inside the counties, loadable twice.</summary>
public sealed class DemoNetworkTests : VirtualHostAndProbe
{
    [Fact]
    public async Task The_demo_network_has_the_domains_counts_inside_each_county_and_loading_it_again_changes_nothing()
    {
        var outlines = CountyOutlines.Load();
        Assert.Equal(13, outlines.Counties.Count);
        var points = DemoNetwork.Generate(outlines);

        var byKind = points.GroupBy(p => p.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(200, byKind["community_center"]);
        Assert.Equal(98, byKind["love_station"]);
        Assert.Equal(1, byKind["regional_center"]);
        Assert.Equal(1, byKind["reception_center"]);
        Assert.Equal(13, byKind["relief_station"]);
        Assert.Equal(13, points.Where(p => p.Kind == "relief_station").Select(p => p.CountyCode).Distinct().Count());
        Assert.All(points, p => Assert.True(outlines.Contains(p.CountyCode, p.Longitude, p.Latitude), $"{p.Code} lies outside {p.CountyCode}"));
        Assert.Equal(points.Count, points.Select(p => p.Code).Distinct().Count());

        // A registry of its own whose per-user limit does not slow the ~750 requests (the command waits it out).
        await using var registry = new ServiceHost<RegistryApi>("registrydb", TestInfrastructure.NewName("registrydb"), VirtualHost.AmqpUri,
            new Dictionary<string, string> { ["RequestProtection:PermitsPerMinute"] = "100000" });
        await registry.WaitUntilReadyAsync();
        var admin = await registry.ClientForAsync(TestUsers.CityAdministrator());
        Assert.Equal(points.Count, await DemoNetwork.LoadAsync(admin, points, CancellationToken.None));
        Assert.Equal(0, await DemoNetwork.LoadAsync(admin, points, CancellationToken.None));

        var loaded = await admin.GetFromJsonAsync<List<JsonElement>>("/api/service-points");
        var demo = loaded!.Where(p => p.GetProperty("isDemo").GetBoolean()).ToList();
        Assert.Equal(points.Count, demo.Count);
        foreach (var point in points)
        {
            Assert.Equal(point.Status, demo.Single(p => p.GetProperty("code").GetString() == point.Code).GetProperty("status").GetString());
        }
    }
}
