using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;

namespace Relief.IntegrationTests.Intake;

/// <summary>身份确认 as a step of its own: its method on the case and in its history, published, kept by Registry.</summary>
public sealed class IdentityConfirmationTests(WholeFlowFixture flow) : IClassFixture<WholeFlowFixture>
{
    private async Task<Guid> RegisterAsync(string? idNumber)
    {
        using var staff = await flow.Intake.ClientForAsync();
        using var response = await staff.PostAsJsonAsync("/api/cases", new
        {
            servicePointCode = TestUsers.YanhuPoint, countyCode = "140802", channel = "WalkIn", need = "Food", personName = "确认测试", idNumber,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task A_checked_ID_card_is_recorded_with_its_method_in_the_history_published_and_kept_beside_the_person()
    {
        var caseId = await RegisterAsync(WholeFlowFixture.NewIdNumber());
        using var staff = await flow.Intake.ClientForAsync();

        using var confirmed = await staff.PostAsJsonAsync($"/api/cases/{caseId}/identity", new { method = "id_card_checked", note = "身份证原件已核对" });

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var detail = await staff.GetFromJsonAsync<JsonElement>($"/api/cases/{caseId}");
        Assert.Equal("id_card_checked", detail.GetProperty("identityStatus").GetString());
        // Only this step of Intake's own: Referral's classification of the case may arrive in the history meanwhile.
        var step = Assert.Single(detail.GetProperty("history").EnumerateArray(), h => h.GetProperty("by").GetString() != "referral");
        Assert.Equal("identity_confirmed", step.GetProperty("action").GetString());
        Assert.Equal("id_card_checked", step.GetProperty("detail").GetProperty("method").GetString());
        // Who checked it: the id for audit, the name and office for people to read.
        var staffName = await SharedAuthority.SignIn.NameAsync(TestUsers.PointStaff());
        Assert.Equal((await SharedAuthority.SignIn.SubjectAsync(TestUsers.PointStaff()), staffName, TestUsers.YanhuPoint),
            (step.GetProperty("by").GetString(), step.GetProperty("byName").GetString(), step.GetProperty("byOffice").GetString()));
        var published = await flow.Probe.WaitForAsync<IdentityConfirmed>(m => m.CaseId == caseId);
        Assert.Equal("id_card_checked", published.Message.Method);
        Assert.DoesNotContain(flow.Probe.RawMessages, raw => raw.Contains("身份证原件", StringComparison.Ordinal)
            || raw.Contains(staffName, StringComparison.Ordinal));

        using var registry = await flow.Registry.ClientForAsync(TestUsers.CityAdministrator());
        await TestDatabase.EventuallyAsync(async () =>
        {
            var persons = await registry.GetAsync($"/api/persons?caseId={caseId}");
            if (!persons.IsSuccessStatusCode)
            {
                return false;
            }

            var personId = (await persons.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetGuid();
            var person = await registry.GetFromJsonAsync<JsonElement>($"/api/persons/{personId}");
            return person.GetProperty("cases").EnumerateArray().Any(c => c.GetProperty("caseId").GetGuid() == caseId
                && c.GetProperty("identityMethod").GetString() == "id_card_checked");
        }, "Registry shows how the case's identity was established");
    }

    [Fact]
    public async Task A_case_without_an_ID_number_cannot_be_checked_by_card_but_can_be_not_established_and_bad_methods_are_400()
    {
        var caseId = await RegisterAsync(null);
        using var staff = await flow.Intake.ClientForAsync();
        using var linyi = await flow.Intake.ClientForAsync(TestUsers.PointStaff(TestUsers.LinyiPoint, "140821"));

        using var byCard = await staff.PostAsJsonAsync($"/api/cases/{caseId}/identity", new { method = "id_card_checked" });
        using var unknownMethod = await staff.PostAsJsonAsync($"/api/cases/{caseId}/identity", new { method = "gut_feeling" });
        using var elsewhere = await linyi.PostAsJsonAsync($"/api/cases/{caseId}/identity", new { method = "not_established" });
        using var notEstablished = await staff.PostAsJsonAsync($"/api/cases/{caseId}/identity", new { method = "not_established" });

        Assert.Equal(HttpStatusCode.BadRequest, byCard.StatusCode);
        Assert.Contains("method", await byCard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknownMethod.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.OK, notEstablished.StatusCode);
        var detail = await staff.GetFromJsonAsync<JsonElement>($"/api/cases/{caseId}");
        Assert.Equal("not_established", detail.GetProperty("identityStatus").GetString());
        Assert.Single(detail.GetProperty("history").EnumerateArray(), h => h.GetProperty("by").GetString() != "referral");
    }
}
