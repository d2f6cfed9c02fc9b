using System.Net.Http.Json;
using System.Text.Json;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;
using Relief.Notification.DutyDesk;
using Relief.Referral.Contracts;

namespace Relief.IntegrationTests.Notification;

public sealed class DutyDeskFeedTests(NotificationFixture fixture) : IClassFixture<NotificationFixture>
{
    private static ReferralRequested AReferral() => new()
    {
        ReferralId = Guid.NewGuid(),
        CaseId = Guid.NewGuid(),
        CountyCode = "140830",
        ReceivingStationCounty = "140830",
        SentAt = DateTimeOffset.UtcNow,
    };

    private async Task<JsonElement> NotificationsOfAsync(Guid caseId)
    {
        using var client = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var response = await client.GetAsync(new Uri($"/api/notifications?caseId={caseId}", UriKind.Relative));
        // None visible (yet) is a 404, like a record that does not exist.
        return response.StatusCode == System.Net.HttpStatusCode.NotFound
            ? JsonDocument.Parse("[]").RootElement
            : await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_sent_referral_appears_on_the_receiving_stations_duty_desk_feed()
    {
        var referral = AReferral();

        await fixture.Probe.PublishAsync(referral, Guid.NewGuid());

        await TestDatabase.EventuallyAsync(async () => (await NotificationsOfAsync(referral.CaseId)).GetArrayLength() == 1,
            "the notification is recorded");
        var notification = (await NotificationsOfAsync(referral.CaseId))[0];
        Assert.Equal("relief_station", notification.GetProperty("recipientKind").GetString());
        Assert.Equal("140830", notification.GetProperty("recipientCounty").GetString());
        Assert.Equal("duty_desk_feed", notification.GetProperty("channel").GetString());
        Assert.Equal("referral_requested", notification.GetProperty("kind").GetString());
        Assert.Equal($"/referrals/{referral.ReferralId}", notification.GetProperty("link").GetString());
        Assert.False(string.IsNullOrWhiteSpace(notification.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task The_same_referral_delivered_three_times_notifies_once_and_fails_none()
    {
        var referral = AReferral();
        var messageId = Guid.NewGuid();

        await Task.WhenAll(fixture.Probe.PublishAsync(referral, messageId), fixture.Probe.PublishAsync(referral, messageId));
        await TestDatabase.EventuallyAsync(async () => (await NotificationsOfAsync(referral.CaseId)).GetArrayLength() >= 1,
            "the notification is recorded");
        await fixture.Probe.PublishAsync(referral, messageId);
        // All three deliveries handled: a second notification would be there by now.
        await fixture.Service.Consumed.WaitForAsync(messageId, deliveries: 3);

        // Handled as a duplicate, not failed into the error queue by a unique key.
        Assert.Equal(0, await fixture.VirtualHost.CountMessagesMentioningAsync(ErrorQueues.Of<ReferralRequestedConsumer>("notification"), referral.CaseId.ToString()));

        Assert.Equal(1, (await NotificationsOfAsync(referral.CaseId)).GetArrayLength());
    }
}
