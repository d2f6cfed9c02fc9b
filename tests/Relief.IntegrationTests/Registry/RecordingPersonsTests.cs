using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;
using Relief.Registry.Persons;

namespace Relief.IntegrationTests.Registry;

public sealed class RecordingPersonsTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private string Db => fixture.Service.DatabaseConnectionString;

    private static CaseRegistered ACase() => new()
    {
        CaseId = Guid.NewGuid(),
        CountyCode = "140821",
        ServicePointCode = "LY-LS-003",
        Channel = IntakeChannel.Hotline,
        Sex = Sex.Female,
        EstimatedAge = 80,
        Need = ReliefNeed.Referral,
        RegisteredAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task A_case_Intake_no_longer_knows_is_recorded_as_a_person_from_the_facts_its_event_carries()
    {
        // Published straight onto the bus: the run's shared Intake answers 404 for it, as for an anonymised case.
        var registered = ACase();
        var messageId = Guid.NewGuid();

        await fixture.Probe.PublishAsync(registered, messageId);
        await fixture.Service.Consumed.WaitForAsync(messageId);

        using var client = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var person = (await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/persons?caseId={registered.CaseId}", UriKind.Relative)))[0];
        Assert.Equal("Female", person.GetProperty("sex").GetString());
        Assert.Equal(80, person.GetProperty("estimatedAge").GetInt32());
        Assert.Equal(JsonValueKind.Null, person.GetProperty("name").ValueKind);
        var detail = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/persons/{person.GetProperty("id").GetGuid()}", UriKind.Relative));
        var only = Assert.Single(detail.GetProperty("cases").EnumerateArray());
        Assert.Equal("Referral", only.GetProperty("need").GetString());
        Assert.Equal("Hotline", only.GetProperty("channel").GetString());
    }

    [Fact]
    public async Task The_same_message_delivered_three_times_records_one_person_and_fails_none()
    {
        var registered = ACase();
        var messageId = Guid.NewGuid();

        await Task.WhenAll(fixture.Probe.PublishAsync(registered, messageId), fixture.Probe.PublishAsync(registered, messageId));
        await fixture.Service.Consumed.WaitForAsync(messageId, deliveries: 2);
        await fixture.Probe.PublishAsync(registered, messageId);
        // All three deliveries handled: a second effect would be there by now.
        await fixture.Service.Consumed.WaitForAsync(messageId, deliveries: 3);

        // Handled as a duplicate, not failed into the error queue by a unique key.
        Assert.Equal(0, await fixture.VirtualHost.CountMessagesMentioningAsync(ErrorQueues.Of<CaseRegisteredConsumer>("registry"), registered.CaseId.ToString()));
        Assert.Equal(0, fixture.Service.Consumed.Faulted(messageId));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from persons where first_case_id = @CaseId", new { registered.CaseId }));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from person_cases where case_id = @CaseId", new { registered.CaseId }));
    }

    [Fact]
    public async Task Finding_persons_by_a_case_id_that_is_not_a_guid_returns_400_naming_caseId()
    {
        using var client = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());

        var response = await client.GetAsync(new Uri("/api/persons?caseId=not-a-guid", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("caseId", out _), problem.ToString());
    }
}
