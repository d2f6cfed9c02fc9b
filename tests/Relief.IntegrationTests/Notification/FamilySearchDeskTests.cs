using System.Text.Json;
using Relief.FamilySearch.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;
using static Relief.IntegrationTests.Notification.DeskRoutingTests;

namespace Relief.IntegrationTests.Notification;

/// <summary>
/// Family search's events on the desks (issue 13): a drafted notice to the station that must publish it, overdue notices
/// and police requests to the station and from level 2 the county office — once each, however often delivered, named
/// by the case's number and never by anything of the person.
/// </summary>
public sealed class FamilySearchDeskTests(NotificationFixture fixture) : IClassFixture<NotificationFixture>
{
    private static string NewPoint() => $"FS-{Random.Shared.Next(100000, 999999)}";

    private static List<JsonElement> OfKind(List<JsonElement> items, string kind) =>
        [.. items.Where(i => i.GetProperty("kind").GetString() == kind)];

    [Fact]
    public async Task A_drafted_notice_reaches_the_stations_desk_once_with_its_deadline_and_a_link_to_the_notice()
    {
        var registered = ACase("140821", NewPoint());
        await DeliverAsync(fixture, registered);
        var drafted = new NoticeDrafted
        {
            NoticeId = Guid.NewGuid(), CaseId = registered.CaseId, CountyCode = "140821", StationCounty = "140821",
            ArrivedAt = new DateTimeOffset(2026, 11, 30, 1, 0, 0, TimeSpan.Zero), DueAt = new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero),
            At = DateTimeOffset.UtcNow,
        };
        var messageId = Guid.NewGuid();

        await DeliverAsync(fixture, drafted, messageId);
        // Redelivered, and published again under another message id: still one item.
        await fixture.Probe.PublishAsync(drafted, messageId);
        await fixture.Service.Consumed.WaitForAsync(messageId, deliveries: 2);
        await DeliverAsync(fixture, drafted);

        var item = Assert.Single(await DeskItemsAsync(fixture, TestUsers.StationStaff("FS-STATION-140821", "140821")));
        Assert.Equal("notice_drafted", item.GetProperty("kind").GetString());
        Assert.Equal($"/family-search/notices/{drafted.NoticeId}", item.GetProperty("link").GetString());
        Assert.Equal($"寻亲公告待拟：案件 {registered.CaseNumber}", item.GetProperty("title").GetString());
        var message = item.GetProperty("message").GetString()!;
        Assert.Contains(registered.CaseNumber!, message, StringComparison.Ordinal);
        // The deadline in Beijing time.
        Assert.Contains("2026-12-01 09:00", message, StringComparison.Ordinal);
        Assert.Empty(await DeskItemsAsync(fixture, TestUsers.CountyOfficer("140821")));
    }

    [Fact]
    public async Task An_overdue_notice_reaches_the_station_at_level_1_and_also_the_county_office_at_level_2_once_each()
    {
        var registered = ACase("140822", NewPoint());
        await DeliverAsync(fixture, registered);
        NoticeOverdue Overdue(int level) => new()
        {
            NoticeId = Guid.Parse("5d1e0a52-0000-4000-8000-000000000001"), CaseId = registered.CaseId, CountyCode = "140822",
            StationCounty = "140822", Level = level, DueAt = DateTimeOffset.UtcNow.AddHours(-1), At = DateTimeOffset.UtcNow,
        };
        var station = TestUsers.StationStaff("FS-STATION-140822", "140822");
        var county = TestUsers.CountyOfficer("140822");

        await DeliverAsync(fixture, Overdue(1));
        Assert.Single(OfKind(await DeskItemsAsync(fixture, station), "notice_overdue"));
        Assert.Empty(await DeskItemsAsync(fixture, county));

        await DeliverAsync(fixture, Overdue(2));
        await DeliverAsync(fixture, Overdue(2));

        Assert.Equal(2, OfKind(await DeskItemsAsync(fixture, station), "notice_overdue").Count);
        var atCounty = Assert.Single(await DeskItemsAsync(fixture, county));
        Assert.Equal("notice_overdue", atCounty.GetProperty("kind").GetString());
        Assert.Equal($"寻亲公告超时（2 级）：案件 {registered.CaseNumber}", atCounty.GetProperty("title").GetString());
        Assert.Contains("未在", atCounty.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("/family-search/notices/5d1e0a52-0000-4000-8000-000000000001", atCounty.GetProperty("link").GetString());
    }

    [Fact]
    public async Task An_overdue_police_request_reaches_the_station_and_from_level_2_the_county_office_naming_the_request()
    {
        var registered = ACase("140825", NewPoint());
        await DeliverAsync(fixture, registered);
        PoliceRequestOverdue Overdue(int level) => new()
        {
            RequestId = Guid.NewGuid(), CaseId = registered.CaseId, CountyCode = "140825", StationCounty = "140825", Kind = "dna_sample",
            Level = level, DueAt = DateTimeOffset.UtcNow.AddDays(-1), At = DateTimeOffset.UtcNow,
        };
        var first = Overdue(1);
        var messageId = Guid.NewGuid();
        await DeliverAsync(fixture, first, messageId);
        await fixture.Probe.PublishAsync(first, messageId);
        await fixture.Service.Consumed.WaitForAsync(messageId, deliveries: 2);
        await DeliverAsync(fixture, Overdue(2) with { RequestId = first.RequestId });

        var atStation = await DeskItemsAsync(fixture, TestUsers.StationStaff("FS-STATION-140825", "140825"));
        Assert.Equal(2, atStation.Count);
        Assert.All(atStation, i => Assert.Equal("police_request_overdue", i.GetProperty("kind").GetString()));
        Assert.All(atStation, i => Assert.Equal($"/cases/{registered.CaseId}", i.GetProperty("link").GetString()));
        Assert.All(atStation, i => Assert.Contains("DNA 采样比对", i.GetProperty("message").GetString(), StringComparison.Ordinal));
        var atCounty = Assert.Single(await DeskItemsAsync(fixture, TestUsers.CountyOfficer("140825")));
        Assert.Equal($"公安协查超时（2 级）：案件 {registered.CaseNumber}", atCounty.GetProperty("title").GetString());
    }
}
