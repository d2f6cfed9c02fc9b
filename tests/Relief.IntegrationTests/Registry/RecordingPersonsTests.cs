using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;
using Relief.Registry.Contracts;
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
    public async Task A_registered_case_is_recorded_as_a_person_and_PersonRecorded_is_published()
    {
        var registered = ACase();

        await fixture.Probe.PublishAsync(registered, Guid.NewGuid());

        var recorded = await fixture.Probe.WaitForAsync<PersonRecorded>(m => m.CaseId == registered.CaseId);
        Assert.Equal("140821", recorded.Message.CountyCode);
        Assert.Equal(ReliefNeed.Referral, recorded.Message.Need);

        using var client = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var person = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/persons/{recorded.Message.PersonId}", UriKind.Relative));
        Assert.Equal(registered.CaseId, person.GetProperty("firstCaseId").GetGuid());
        Assert.Equal("Female", person.GetProperty("sex").GetString());
        Assert.Equal(80, person.GetProperty("estimatedAge").GetInt32());
    }

    [Fact]
    public async Task The_same_message_delivered_three_times_records_one_person_publishes_once_and_fails_none()
    {
        var registered = ACase();
        var messageId = Guid.NewGuid();

        await Task.WhenAll(fixture.Probe.PublishAsync(registered, messageId), fixture.Probe.PublishAsync(registered, messageId));
        await fixture.Probe.WaitForAsync<PersonRecorded>(m => m.CaseId == registered.CaseId);
        await fixture.Probe.PublishAsync(registered, messageId);
        // All three deliveries handled: a second effect would be there by now.
        await fixture.Service.Consumed.WaitForAsync(messageId, deliveries: 3);

        // Handled as a duplicate, not failed into the error queue by a unique key.
        Assert.Equal(0, await fixture.VirtualHost.CountMessagesMentioningAsync(ErrorQueues.Of<CaseRegisteredConsumer>("registry"), registered.CaseId.ToString()));

        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from persons where first_case_id = @CaseId", new { registered.CaseId }));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from outbox_messages where payload->>'caseId' = @CaseId", new { CaseId = registered.CaseId.ToString() }));
        Assert.Single(fixture.Probe.Received<PersonRecorded>(m => m.CaseId == registered.CaseId));
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
