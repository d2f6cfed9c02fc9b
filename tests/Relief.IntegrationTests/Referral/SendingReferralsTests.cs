using System.Net.Http.Json;
using System.Text.Json;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;
using Relief.Referral.Contracts;
using Relief.Referral.Referrals;

namespace Relief.IntegrationTests.Referral;

/// <summary>
/// Referrals as classification opens them: to the relief station of the case's county, never for a case the point can
/// help itself, once per case however often its registration is delivered. The cases are real ones in the shared Intake.
/// </summary>
public sealed class SendingReferralsTests(ReferralFixture fixture) : IClassFixture<ReferralFixture>
{
    private string Db => fixture.Service.DatabaseConnectionString;

    [Fact]
    public async Task A_person_needing_the_relief_station_is_referred_to_their_countys_station()
    {
        var (caseId, caseNumber) = await IntakeCases.RegisterAsync(IntakeCases.Case(["wandering"], countyCode: "140821"));

        await fixture.Probe.PublishAsync(IntakeCases.Registered(caseId, "140821"), Guid.NewGuid());

        var sent = await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == caseId);
        Assert.Equal(("140821", "140821", TestUsers.LinyiPoint), (sent.Message.CountyCode, sent.Message.ReceivingStationCounty, sent.Message.ServicePointCode));

        using var client = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var referrals = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/referrals?caseId={caseId}", UriKind.Relative));
        var referral = Assert.Single(referrals.EnumerateArray());
        Assert.Equal("requested", referral.GetProperty("status").GetString());
        Assert.StartsWith("140821-", caseNumber, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_person_given_a_voucher_at_the_point_is_not_referred_and_an_unidentified_one_is()
    {
        var (helped, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["no_fare"], idNumber: IntakeCases.IdNumberAged(28)));
        await IntakeCases.ConfirmIdentityAsync(helped, "id_card_checked");
        var (referred, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["no_fare"]));
        var helpedMessage = Guid.NewGuid();

        await fixture.Probe.PublishAsync(IntakeCases.Registered(helped), helpedMessage);
        await fixture.Probe.PublishAsync(IntakeCases.Registered(referred), Guid.NewGuid());
        await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == referred);
        await fixture.Service.Consumed.WaitForAsync(helpedMessage);

        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from referrals where case_id = @helped", new { helped }));
        Assert.Empty(fixture.Probe.Received<ReferralRequested>(m => m.CaseId == helped));
    }

    [Fact]
    public async Task The_same_message_delivered_twice_sends_one_referral_and_fails_none()
    {
        var (caseId, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["wandering"]));
        var registered = IntakeCases.Registered(caseId);
        var messageId = Guid.NewGuid();

        await Task.WhenAll(fixture.Probe.PublishAsync(registered, messageId), fixture.Probe.PublishAsync(registered, messageId));
        await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == caseId);
        // Both deliveries handled: a second referral would be there by now.
        await fixture.Service.Consumed.WaitForAsync(messageId, deliveries: 2);

        // Handled as a duplicate, not failed into the error queue by a unique key.
        Assert.Equal(0, fixture.Service.Consumed.Faulted(messageId));
        Assert.Equal(0, await fixture.VirtualHost.CountMessagesMentioningAsync(ErrorQueues.Of<CaseRegisteredConsumer>("referral"), caseId.ToString()));

        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from referrals where case_id = @caseId", new { caseId }));
        Assert.Single(fixture.Probe.Received<ReferralRequested>(m => m.CaseId == caseId));
    }
}
