using System.Net.Http.Json;
using System.Text.Json;
using Relief.FamilySearch.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.IntegrationTests.Intake;
using Relief.Intake.Contracts;

namespace Relief.IntegrationTests.FamilySearch;

/// <summary>Intake hears of a confirmed reunion: the case's timeline has it, and its identity is confirmed by the relatives.</summary>
public sealed class ReunionInIntakeTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    [Fact]
    public async Task A_confirmed_reunion_is_recorded_in_the_case_once_and_confirms_its_identity_by_the_relatives()
    {
        using var client = await fixture.Service.ClientForAsync();
        using var registered = await client.PostCaseAsync(CaseRequests.Valid());
        registered.EnsureSuccessStatusCode();
        var caseId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var reunion = new ReunionConfirmed
        {
            MatchId = Guid.NewGuid(), NoticeId = Guid.NewGuid(), ReportId = Guid.NewGuid(), CaseId = caseId, CountyCode = "140802",
            StationCounty = "140802", ReportCounty = "140821", At = DateTimeOffset.UtcNow,
        };
        var messageId = Guid.NewGuid();

        await fixture.Probe.PublishAsync(reunion, messageId);
        await fixture.Service.Consumed.WaitForAsync(messageId);
        await fixture.Probe.PublishAsync(reunion, messageId);
        await fixture.Service.Consumed.WaitForAsync(messageId, deliveries: 2);

        var confirmed = await fixture.Probe.WaitForAsync<IdentityConfirmed>(m => m.CaseId == caseId);
        Assert.Equal(("relatives_confirmed", "140802"), (confirmed.Message.Method, confirmed.Message.CountyCode));
        var db = fixture.Service.DatabaseConnectionString;
        Assert.Equal("relatives_confirmed", await TestDatabase.ScalarAsync<string>(db, "select identity_status from cases where id = @caseId", new { caseId }));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(db,
            "select count(*) from case_history where case_id = @caseId and action = 'reunion' and detail->>'reportCounty' = '140821' and detail->>'matchId' = @Match",
            new { caseId, Match = reunion.MatchId.ToString() }));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(db,
            "select count(*) from case_history where case_id = @caseId and action = 'identity_confirmed' and detail->>'method' = 'relatives_confirmed'",
            new { caseId }));
        Assert.Single(fixture.Probe.Received<IdentityConfirmed>(m => m.CaseId == caseId));

        // The case's page shows it as any other confirmation.
        var page = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{caseId}", UriKind.Relative));
        Assert.Equal("relatives_confirmed", page.GetProperty("identityStatus").GetString());
    }

    [Fact]
    public async Task Staff_may_record_an_identity_confirmed_by_relatives_themselves()
    {
        using var client = await fixture.Service.ClientForAsync();
        using var registered = await client.PostCaseAsync(CaseRequests.Valid());
        var caseId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var response = await client.PostAsJsonAsync(new Uri($"/api/cases/{caseId}/identity", UriKind.Relative), new { method = "relatives_confirmed" });
        response.EnsureSuccessStatusCode();
        await fixture.Probe.WaitForAsync<IdentityConfirmed>(m => m.CaseId == caseId && m.Method == "relatives_confirmed");
    }
}
