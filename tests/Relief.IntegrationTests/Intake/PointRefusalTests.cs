using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.IntegrationTests.Infrastructure;
using Relief.Registry.Contracts;
using Relief.Testing;

namespace Relief.IntegrationTests.Intake;

/// <summary>
/// Intake refuses a case at a point that does not exist or is not embedded, from its own copy of the network. No Registry
/// runs in this fixture: the answers come from what Registry announced earlier, as they must during a Registry outage.
/// </summary>
public sealed class PointRefusalTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    private static string NewCode() => $"RF-{Guid.NewGuid():N}"[..12].ToUpperInvariant();

    private async Task AnnounceAsync(string code, int version, string status)
    {
        var messageId = Guid.NewGuid();
        await fixture.Probe.PublishAsync(new ServicePointChanged
        {
            Code = code, Name = "测试爱心驿站", Kind = "love_station", CountyCode = "140802", Status = status,
            Version = version, ChangedAt = DateTimeOffset.UtcNow,
        }, messageId);
        await fixture.Service.Consumed.WaitForAsync(messageId);
    }

    private async Task<HttpResponseMessage> RegisterAtAsync(string code, string county = "140802")
    {
        using var admin = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        return await admin.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
        {
            servicePointCode = code, countyCode = county, channel = "WalkIn", sex = "Male", estimatedAge = 60, need = "Food",
            personName = "拒收测试",
        });
    }

    private async Task<long> CasesAtAsync(string code) => await TestDatabase.ScalarAsync<long>(
        fixture.Service.DatabaseConnectionString, "select count(*) from cases where service_point_code = @code", new { code });

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string field, string reason)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var reasons), $"errors should name '{field}': {problem}");
        Assert.Contains(reason, reasons[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_case_at_an_unknown_point_is_refused_naming_the_field_and_nothing_is_saved()
    {
        var code = NewCode();

        using var response = await RegisterAtAsync(code);

        await AssertRefusedAsync(response, "servicePointCode", "no service point has this code");
        Assert.Equal(0, await CasesAtAsync(code));
    }

    [Fact]
    public async Task A_case_is_refused_at_a_planned_suspended_or_closed_point_and_accepted_while_it_is_embedded()
    {
        var code = NewCode();

        await AnnounceAsync(code, 1, "planned");
        using (var planned = await RegisterAtAsync(code))
        {
            await AssertRefusedAsync(planned, "servicePointCode", "is still planned");
        }

        await AnnounceAsync(code, 2, "embedded");
        using (var embedded = await RegisterAtAsync(code))
        {
            Assert.Equal(HttpStatusCode.Created, embedded.StatusCode);
        }

        await AnnounceAsync(code, 3, "suspended");
        using (var suspended = await RegisterAtAsync(code))
        {
            await AssertRefusedAsync(suspended, "servicePointCode", "is suspended");
        }

        await AnnounceAsync(code, 4, "closed");
        using (var closed = await RegisterAtAsync(code))
        {
            await AssertRefusedAsync(closed, "servicePointCode", "is closed");
        }

        Assert.Equal(1, await CasesAtAsync(code));
    }

    [Fact]
    public async Task A_case_whose_county_is_not_its_points_county_is_refused_on_the_county()
    {
        var code = NewCode();
        await AnnounceAsync(code, 1, "embedded");

        using var response = await RegisterAtAsync(code, county: "140821");

        await AssertRefusedAsync(response, "countyCode", "the point belongs to county 140802");
        Assert.Equal(0, await CasesAtAsync(code));
    }
}
