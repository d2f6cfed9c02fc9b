using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.IntegrationTests.Infrastructure;
using Relief.Notification.DutyDesk;
using Relief.Referral.Contracts;
using Relief.Testing;

namespace Relief.IntegrationTests.Notification;

/// <summary>A referral's deadline passed: the duty desks that must act are told, more of them at each escalation.</summary>
public sealed class OverdueReferralTests(NotificationFixture fixture) : IClassFixture<NotificationFixture>
{
    /// <summary>A case of 盐湖区 whose referral went (by a transfer) to 临猗县's station: the desks are the station's county's.</summary>
    private static ReferralOverdue AnOverdue(Guid referralId, Guid caseId, int level, string kind = "acceptance") => new()
    {
        ReferralId = referralId,
        CaseId = caseId,
        CountyCode = "140802",
        ReceivingStationCounty = "140821",
        Kind = kind,
        Level = level,
        DueAt = DateTimeOffset.UtcNow.AddMinutes(-level),
        At = DateTimeOffset.UtcNow,
    };

    private async Task<List<JsonElement>> NotificationsOfAsync(Guid caseId, TestUser user)
    {
        using var client = await fixture.Service.ClientForAsync(user);
        using var response = await client.GetAsync(new Uri($"/api/notifications?caseId={caseId}", UriKind.Relative));
        return response.StatusCode == HttpStatusCode.NotFound ? []
            : [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }

    private static List<(string Kind, string County, int Level)> Desks(IEnumerable<JsonElement> notifications) =>
    [
        .. notifications.Select(n => (n.GetProperty("recipientKind").GetString()!, n.GetProperty("recipientCounty").GetString()!, n.GetProperty("level").GetInt32()))
            .Order(),
    ];

    private async Task DeliverAsync(ReferralOverdue overdue, Guid? messageId = null, int times = 1)
    {
        var id = messageId ?? Guid.NewGuid();
        for (var i = 0; i < times; i++)
        {
            await fixture.Probe.PublishAsync(overdue, id);
        }

        await fixture.Service.Consumed.WaitForAsync(id, deliveries: times);
    }

    [Fact]
    public async Task The_first_level_reaches_the_stations_desk_the_second_also_the_county_office_and_the_third_also_the_city()
    {
        var referralId = Guid.NewGuid();
        var caseId = Guid.NewGuid();

        await DeliverAsync(AnOverdue(referralId, caseId, 1));

        var first = Assert.Single(await NotificationsOfAsync(caseId, TestUsers.CityAdministrator()));
        Assert.Equal(("relief_station", "140821", 1), Desks([first])[0]);
        Assert.Equal("referral_overdue", first.GetProperty("kind").GetString());
        Assert.Equal("acceptance", first.GetProperty("deadlineKind").GetString());
        Assert.Equal("duty_desk_feed", first.GetProperty("channel").GetString());
        Assert.Equal($"/referrals/{referralId}", first.GetProperty("link").GetString());
        Assert.Contains("1 级", first.GetProperty("title").GetString(), StringComparison.Ordinal);

        await DeliverAsync(AnOverdue(referralId, caseId, 2));
        await DeliverAsync(AnOverdue(referralId, caseId, 3));

        Assert.Equal(
            [("city_bureau", "140800", 3), ("county_office", "140821", 2), ("county_office", "140821", 3),
             ("relief_station", "140821", 1), ("relief_station", "140821", 2), ("relief_station", "140821", 3)],
            Desks(await NotificationsOfAsync(caseId, TestUsers.CityAdministrator())));
        // Each desk's readers: the station sees its own, the county office of the station's county the escalations to
        // it (though the case is another county's), and the case's own county officer the whole case.
        Assert.Equal([("relief_station", "140821", 1), ("relief_station", "140821", 2), ("relief_station", "140821", 3)],
            Desks(await NotificationsOfAsync(caseId, TestUsers.StationStaff(TestUsers.LinyiStation, "140821"))));
        Assert.Equal([("county_office", "140821", 2), ("county_office", "140821", 3)],
            Desks(await NotificationsOfAsync(caseId, TestUsers.CountyOfficer("140821"))));
        Assert.Equal(6, (await NotificationsOfAsync(caseId, TestUsers.CountyOfficer("140802"))).Count);
        Assert.Empty(await NotificationsOfAsync(caseId, TestUsers.StationStaff()));
    }

    [Fact]
    public async Task An_overdue_delivered_again_or_published_twice_notifies_each_desk_once()
    {
        var referralId = Guid.NewGuid();
        var caseId = Guid.NewGuid();
        var overdue = AnOverdue(referralId, caseId, 2, "care_days");
        var messageId = Guid.NewGuid();

        await DeliverAsync(overdue, messageId, times: 2);
        // The same deadline and level under another message id (a replay that lost its id): still once per desk.
        await DeliverAsync(overdue);

        Assert.Equal([("county_office", "140821", 2), ("relief_station", "140821", 2)],
            Desks(await NotificationsOfAsync(caseId, TestUsers.CityAdministrator())));
        Assert.All(await NotificationsOfAsync(caseId, TestUsers.CityAdministrator()),
            n => Assert.Equal("care_days", n.GetProperty("deadlineKind").GetString()));
        Assert.Equal(0, await fixture.VirtualHost.CountMessagesMentioningAsync(ErrorQueues.Of<ReferralOverdueConsumer>("notification"), caseId.ToString()));
    }
}
