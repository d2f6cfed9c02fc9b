using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;

namespace Relief.IntegrationTests.Referral;

/// <summary>An identity the relatives confirmed (a family-search reunion) is established for the classification rules.</summary>
public sealed class RelativesConfirmedRulesTests(ReferralFixture fixture) : IClassFixture<ReferralFixture>
{
    [Fact]
    public async Task The_rules_in_force_name_relatives_confirmed_wherever_they_name_a_checked_id_card()
    {
        using var admin = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var inForce = (await admin.GetFromJsonAsync<JsonObject>(new Uri("/api/classification/rules", UriKind.Relative)))!;
        var statusLists = inForce["rules"]!.AsArray()
            .SelectMany(rule => Conditions(rule!["when"]))
            .Select(condition => condition["identityStatus"]?.AsArray().Select(s => (string)s!).ToList())
            .OfType<List<string>>()
            .ToList();

        Assert.Contains(statusLists, list => list.Contains("id_card_checked"));
        Assert.All(statusLists.Where(list => list.Contains("id_card_checked")), list => Assert.Contains("relatives_confirmed", list));
        Assert.DoesNotContain(statusLists, list => list.Contains("not_established") && list.Contains("relatives_confirmed"));
        Assert.Equal("migration", (string)inForce["createdBy"]!);
    }

    private static IEnumerable<JsonObject> Conditions(JsonNode? condition) => condition is JsonObject when
        ? [when, .. (when["any"]?.AsArray() ?? []).SelectMany(Conditions)]
        : [];
}
