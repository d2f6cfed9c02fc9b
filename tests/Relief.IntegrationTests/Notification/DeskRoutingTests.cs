using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.IntegrationTests.Infrastructure;
using Relief.Intake.Contracts;
using Relief.Notification.DutyDesk;
using Relief.Referral.Contracts;
using Relief.Testing;

namespace Relief.IntegrationTests.Notification;

/// <summary>
/// Each event reaches the desk that must act on it, read through that desk's own feed (GET /api/desk/items), named by
/// the case's number and linked to where the desk acts. Each test uses a county (or a point) of its own, so one desk's
/// items are one test's.
/// </summary>
public sealed class DeskRoutingTests(NotificationFixture fixture) : IClassFixture<NotificationFixture>
{
    internal static async Task<List<JsonElement>> DeskItemsAsync(NotificationFixture fixture, TestUser user)
    {
        using var client = await fixture.Service.ClientForAsync(user);
        using var response = await client.GetAsync(new Uri("/api/desk/items", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()];
    }

    /// <summary>Delivers an event and waits until the service has handled it (so a desk that stays empty is a proof).</summary>
    internal static async Task DeliverAsync<T>(NotificationFixture fixture, T message, Guid? messageId = null) where T : class
    {
        var id = messageId ?? Guid.NewGuid();
        await fixture.Probe.PublishAsync(message, id);
        await fixture.Service.Consumed.WaitForAsync(id);
    }

    internal static CaseRegistered ACase(string county, string point, string? caseNumber = null) => new()
    {
        CaseId = Guid.NewGuid(),
        CountyCode = county,
        ServicePointCode = point,
        Channel = IntakeChannel.WalkIn,
        Sex = Sex.Unknown,
        Need = ReliefNeed.Referral,
        RegisteredAt = DateTimeOffset.UtcNow,
        CaseNumber = caseNumber ?? $"{county}-20261130-{Random.Shared.Next(1000, 9999)}",
    };

    internal static ReferralRequested ARequest(CaseRegistered registered, string? station = null) => new()
    {
        ReferralId = Guid.NewGuid(),
        CaseId = registered.CaseId,
        CountyCode = registered.CountyCode,
        ReceivingStationCounty = station ?? registered.CountyCode,
        ServicePointCode = registered.ServicePointCode,
        Priority = "urgent",
        AcceptBy = DateTimeOffset.UtcNow.AddHours(1),
        SentAt = DateTimeOffset.UtcNow,
    };

    private static string NewPoint() => $"FD-{Random.Shared.Next(100000, 999999)}";

    [Fact]
    public async Task A_requested_referral_reaches_the_receiving_stations_desk_named_by_the_case_number()
    {
        var registered = ACase("140822", NewPoint());
        await DeliverAsync(fixture, registered);
        var requested = ARequest(registered);

        await DeliverAsync(fixture, requested);

        var station = TestUsers.StationStaff("WR-STATION", "140822");
        var item = Assert.Single(await DeskItemsAsync(fixture, station));
        Assert.Equal("referral_requested", item.GetProperty("kind").GetString());
        Assert.Equal(registered.CaseNumber, item.GetProperty("caseNumber").GetString());
        Assert.Equal($"/referrals/{requested.ReferralId}", item.GetProperty("link").GetString());
        Assert.Contains(registered.CaseNumber!, item.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains(registered.CaseNumber!, item.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("紧急", item.GetProperty("message").GetString(), StringComparison.Ordinal);
        // The registering point is not the station: its desk hears nothing of the request.
        Assert.Empty(await DeskItemsAsync(fixture, TestUsers.PointStaff(registered.ServicePointCode, "140822")));
    }

    [Fact]
    public async Task A_rejected_referral_reaches_the_point_that_registered_the_case_with_the_reason_and_no_other_point()
    {
        var point = NewPoint();
        var registered = ACase("140823", point);
        await DeliverAsync(fixture, registered);
        var requested = ARequest(registered);
        await DeliverAsync(fixture, requested);

        await DeliverAsync(fixture, new ReferralRejected
        {
            ReferralId = requested.ReferralId, CaseId = registered.CaseId, CountyCode = "140823", ReceivingStationCounty = "140823",
            Sequence = 2, At = DateTimeOffset.UtcNow, Reason = "no_capacity",
        });

        var item = Assert.Single(await DeskItemsAsync(fixture, TestUsers.PointStaff(point, "140823")));
        Assert.Equal("referral_rejected", item.GetProperty("kind").GetString());
        Assert.Contains("本站无力接收", item.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(registered.CaseNumber!, item.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal($"/cases/{registered.CaseId}", item.GetProperty("link").GetString());
        // Scope: another point of the same county reads its own desk, which has none of it.
        Assert.Empty(await DeskItemsAsync(fixture, TestUsers.PointStaff(NewPoint(), "140823")));
    }

    [Fact]
    public async Task A_rejection_that_arrives_before_the_case_waits_for_the_referral_and_reaches_the_point()
    {
        var point = NewPoint();
        var registered = ACase("140829", point);
        var requested = ARequest(registered);
        var rejection = Guid.NewGuid();

        // Neither the case nor its referral is known yet: the rejection waits (retried), never dropped.
        await fixture.Probe.PublishAsync(new ReferralRejected
        {
            ReferralId = requested.ReferralId, CaseId = registered.CaseId, CountyCode = "140829", ReceivingStationCounty = "140829",
            Sequence = 2, At = DateTimeOffset.UtcNow, Reason = "not_in_area",
        }, rejection);
        await TestDatabase.EventuallyAsync(() => Task.FromResult(fixture.Logs.Retries(rejection) > 0), "the rejection waits (is retried)");
        // The request names the registering point; the case's own event has still not come.
        await DeliverAsync(fixture, requested);
        await fixture.Service.Consumed.WaitForAsync(rejection);

        var item = Assert.Single(await DeskItemsAsync(fixture, TestUsers.PointStaff(point, "140829")));
        Assert.Equal("referral_rejected", item.GetProperty("kind").GetString());
        Assert.Contains("不属本站辖区", item.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completed_referral_reaches_the_registering_point()
    {
        var point = NewPoint();
        var registered = ACase("140827", point);
        await DeliverAsync(fixture, registered);
        var requested = ARequest(registered);

        await DeliverAsync(fixture, new ReferralCompleted
        {
            ReferralId = requested.ReferralId, CaseId = registered.CaseId, CountyCode = "140827", ReceivingStationCounty = "140827",
            Sequence = 4, At = DateTimeOffset.UtcNow, Outcome = "hospitalised",
        });

        var item = Assert.Single(await DeskItemsAsync(fixture, TestUsers.PointStaff(point, "140827")));
        Assert.Equal("referral_completed", item.GetProperty("kind").GetString());
        Assert.Contains(registered.CaseNumber!, item.GetProperty("title").GetString(), StringComparison.Ordinal);
        // The outcome is not named: a hospital is a health detail.
        Assert.DoesNotContain("医", item.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static CaseClassified AClassification(CaseRegistered registered, string? priority, params string[] rules) => new()
    {
        CaseId = registered.CaseId,
        CountyCode = registered.CountyCode,
        RuleSetVersion = 1,
        Rules = rules,
        Decision = "referral",
        At = DateTimeOffset.UtcNow,
        Priority = priority,
    };

    [Fact]
    public async Task An_urgent_case_and_a_minor_reach_the_county_office_at_once_once_each_and_a_normal_case_does_not()
    {
        var urgent = ACase("140824", NewPoint());
        var minor = ACase("140824", NewPoint());
        var normal = ACase("140824", NewPoint());
        await DeliverAsync(fixture, urgent);

        await DeliverAsync(fixture, AClassification(urgent, "urgent", "hospital_at_once"));
        await DeliverAsync(fixture, AClassification(minor, "high", CaseClassifiedConsumer.ChildProtectionRule));
        await DeliverAsync(fixture, AClassification(normal, "normal", "travel_home"));
        // Classified again (an update): the county office was told already.
        await DeliverAsync(fixture, AClassification(urgent, "urgent", "hospital_at_once"));

        var items = await DeskItemsAsync(fixture, TestUsers.CountyOfficer("140824"));
        Assert.Equal(new[] { minor.CaseId, urgent.CaseId }.Order(), items.Select(i => i.GetProperty("caseId").GetGuid()).Order());
        Assert.All(items, i => Assert.Equal("urgent_case", i.GetProperty("kind").GetString()));
        Assert.Equal(urgent.CaseNumber, items.Single(i => i.GetProperty("caseId").GetGuid() == urgent.CaseId).GetProperty("caseNumber").GetString());
        Assert.Equal($"/cases/{minor.CaseId}", items.Single(i => i.GetProperty("caseId").GetGuid() == minor.CaseId).GetProperty("link").GetString());
        // The station of the county is not the county office.
        Assert.Empty(await DeskItemsAsync(fixture, TestUsers.StationStaff("JX-STATION", "140824")));
    }

    [Fact]
    public async Task The_same_event_published_twice_under_different_message_ids_is_one_desk_item()
    {
        var point = NewPoint();
        var registered = ACase("140826", point);
        await DeliverAsync(fixture, registered);
        var rejected = new ReferralRejected
        {
            ReferralId = Guid.NewGuid(), CaseId = registered.CaseId, CountyCode = "140826", ReceivingStationCounty = "140826",
            Sequence = 2, At = DateTimeOffset.UtcNow, Reason = "duplicate",
        };

        await DeliverAsync(fixture, rejected);
        await DeliverAsync(fixture, rejected);

        Assert.Single(await DeskItemsAsync(fixture, TestUsers.PointStaff(point, "140826")));
        Assert.Equal(0, await fixture.VirtualHost.CountMessagesMentioningAsync(
            ErrorQueues.Of<ReferralRejectedConsumer>("notification"), registered.CaseId.ToString()));
    }

    [Fact]
    public async Task A_desk_counts_what_its_reader_has_not_read_and_remembers_how_far_they_read()
    {
        var officer = TestUsers.CountyOfficer("140828");
        var first = ACase("140828", NewPoint());
        var second = ACase("140828", NewPoint());
        await DeliverAsync(fixture, AClassification(first, "urgent"));
        await DeliverAsync(fixture, AClassification(second, "urgent"));
        using var client = await fixture.Service.ClientForAsync(officer);
        async Task<long> UnreadAsync() =>
            (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/desk/unread", UriKind.Relative))).GetProperty("unread").GetInt64();

        Assert.Equal(2, await UnreadAsync());
        var items = await DeskItemsAsync(fixture, officer);
        var older = items[^1].GetProperty("feedId").GetInt64();
        Assert.True(items[0].GetProperty("feedId").GetInt64() > older, "newest first");

        using (var marked = await client.PostAsJsonAsync(new Uri("/api/desk/read", UriKind.Relative), new { upTo = older }))
        {
            Assert.Equal(HttpStatusCode.NoContent, marked.StatusCode);
        }

        Assert.Equal(1, await UnreadAsync());
        var page = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/desk/items", UriKind.Relative));
        Assert.Equal(older, page.GetProperty("lastReadId").GetInt64());
        Assert.Equal(1, page.GetProperty("unread").GetInt64());
        // A mark never goes back: read up to an older item again, still one unread.
        using (var back = await client.PostAsJsonAsync(new Uri("/api/desk/read", UriKind.Relative), new { upTo = 0 }))
        {
            Assert.Equal(HttpStatusCode.NoContent, back.StatusCode);
        }

        Assert.Equal(1, await UnreadAsync());
        // Another officer of the same office has read nothing.
        using var colleague = fixture.Service.CreateClient();
        colleague.DefaultRequestHeaders.Authorization = new("Bearer", await TokenOfAnotherUserAsync(officer));
        Assert.Equal(2, (await colleague.GetFromJsonAsync<JsonElement>(new Uri("/api/desk/unread", UriKind.Relative))).GetProperty("unread").GetInt64());
    }

    private static async Task<string> TokenOfAnotherUserAsync(TestUser user)
    {
        var (userName, password) = await SharedAuthority.SignIn.NewUserAsync(user);
        using var authority = SharedAuthority.Instance.CreateClient();
        return await IdentityAuthorityClient.GetAccessTokenAsync(authority, userName, password);
    }

    [Fact]
    public async Task A_bad_page_or_read_mark_is_refused_naming_the_field()
    {
        using var client = await fixture.Service.ClientForAsync(TestUsers.StationStaff());

        using var page = await client.GetAsync(new Uri("/api/desk/items?limit=0", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.True((await page.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("limit", out _));

        using var unknown = await client.PostAsJsonAsync(new Uri("/api/desk/read", UriKind.Relative), new { upTo = 1, everything = true });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);

        using var missing = await client.PostAsJsonAsync(new Uri("/api/desk/read", UriKind.Relative), new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.True((await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("upTo", out _));

        using var auditor = await fixture.Service.ClientForAsync(TestUsers.Auditor());
        using var refused = await auditor.GetAsync(new Uri("/api/desk/unread", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
