using System.Net.Http.Json;
using System.Text.Json;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;
using Relief.Referral.Contracts;
using Relief.Referral.Referrals;
using Relief.ServiceDefaults.Messaging;

namespace Relief.IntegrationTests.Referral;

public sealed class SendingReferralsTests(ReferralFixture fixture) : IClassFixture<ReferralFixture>
{
    private string Db => fixture.Service.DatabaseConnectionString;

    private static CaseRegistered APerson(ReliefNeed need, string countyCode = "140881") => new()
    {
        CaseId = Guid.NewGuid(),
        CountyCode = countyCode,
        ServicePointCode = "YJ-HSR-001",
        Channel = IntakeChannel.WalkIn,
        Sex = Sex.Female,
        Need = need,
        RegisteredAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task A_person_needing_the_relief_station_is_referred_to_their_countys_station()
    {
        var person = APerson(ReliefNeed.Referral);

        await fixture.Probe.PublishAsync(person, Guid.NewGuid());

        var sent = await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == person.CaseId);
        Assert.Equal("140881", sent.Message.ReceivingStationCounty);

        using var client = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var referrals = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/referrals?caseId={person.CaseId}", UriKind.Relative));
        var referral = Assert.Single(referrals.EnumerateArray());
        Assert.Equal("requested", referral.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_person_given_food_at_the_point_is_not_referred_and_an_emergency_is()
    {
        var fed = APerson(ReliefNeed.Food);
        var referred = APerson(ReliefNeed.Emergency);
        var fedMessage = Guid.NewGuid();

        await fixture.Probe.PublishAsync(fed, fedMessage);
        await fixture.Probe.PublishAsync(referred, Guid.NewGuid());
        await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == referred.CaseId);
        await fixture.Service.Consumed.WaitForAsync(fedMessage);

        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from referrals where case_id = @CaseId", new { fed.CaseId }));
        Assert.Empty(fixture.Probe.Received<ReferralRequested>(m => m.CaseId == fed.CaseId));
    }

    [Fact]
    public async Task The_same_message_delivered_twice_sends_one_referral_and_fails_none()
    {
        var person = APerson(ReliefNeed.Referral);
        var messageId = Guid.NewGuid();

        await Task.WhenAll(fixture.Probe.PublishAsync(person, messageId), fixture.Probe.PublishAsync(person, messageId));
        await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == person.CaseId);
        // Both deliveries handled: a second referral would be there by now.
        await fixture.Service.Consumed.WaitForAsync(messageId, deliveries: 2);

        // Handled as a duplicate, not failed into the error queue by a unique key.
        Assert.Equal(0, await fixture.VirtualHost.CountMessagesMentioningAsync(ErrorQueues.Of<CaseRegisteredConsumer>("referral"), person.CaseId.ToString()));

        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from referrals where case_id = @CaseId", new { person.CaseId }));
        Assert.Single(fixture.Probe.Received<ReferralRequested>(m => m.CaseId == person.CaseId));
    }

    [Fact]
    public async Task A_message_that_fails_for_a_permanent_reason_goes_to_the_error_queue_without_retries_and_with_no_effect()
    {
        // A county code longer than GB/T 2260's six digits does not fit the column: every attempt fails.
        var person = APerson(ReliefNeed.Referral, countyCode: "14088100");
        var errorQueue = ErrorQueues.Of<CaseRegisteredConsumer>("referral");
        var messageId = Guid.NewGuid();

        await fixture.Probe.PublishAsync(person, messageId);

        await TestDatabase.EventuallyAsync(async () => await fixture.VirtualHost.CountMessagesMentioningAsync(errorQueue, person.CaseId.ToString()) == 1,
            $"the message is in {errorQueue}", TimeSpan.FromSeconds(60));
        // Tried once: retrying a value that does not fit would only hold the message back from ops.
        Assert.Equal(0, fixture.Logs.Retries(messageId));
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from referrals where case_id = @CaseId", new { person.CaseId }));
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from outbox_messages where payload->>'caseId' = @CaseId", new { CaseId = person.CaseId.ToString() }));
    }
}
