using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Relief.IntegrationTests.Infrastructure;
using Relief.Referral;
using Relief.Referral.Contracts;
using Relief.Referral.Deadlines;
using Relief.Testing;

namespace Relief.IntegrationTests.Referral;

/// <summary>A virtual host and probe; each test runs Referral instances of its own on a database of its own.</summary>
public sealed class DeadlineFixture : IAsyncLifetime
{
    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public BusProbe Probe { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        VirtualHost = await TestVirtualHost.CreateAsync();
        Probe = await BusProbe.StartAsync(VirtualHost.AmqpUri);
    }

    public async Task DisposeAsync()
    {
        await Probe.DisposeAsync();
        await VirtualHost.DisposeAsync();
    }
}

/// <summary>
/// Deadlines live in PostgreSQL and fire exactly once, whatever the number of instances and restarts. Time is a fake
/// clock the instances share: moving it on is the deadline passing.
/// </summary>
public sealed class ReferralDeadlineTests(DeadlineFixture fixture) : IClassFixture<DeadlineFixture>
{
    /// <summary>How long a referral of high priority (an unidentified person) may wait to be accepted, by default.</summary>
    private static readonly TimeSpan HighWithin = TimeSpan.FromMinutes(30);

    private ServiceHost<ReferralApi> NewInstance(string database, FakeTimeProvider clock) =>
        new("referraldb", database, fixture.VirtualHost.AmqpUri)
        {
            TestServices = services => services.AddSingleton<TimeProvider>(clock),
        };

    private static async Task<ServiceHost<ReferralApi>> StartedAsync(ServiceHost<ReferralApi> instance)
    {
        await instance.WaitUntilReadyAsync();
        return instance;
    }

    /// <summary>Waits until every instance's watcher has made a pass at or after the clock's time now.</summary>
    private static async Task EveryWatcherLookedAsync(FakeTimeProvider clock, params ServiceHost<ReferralApi>[] instances)
    {
        var now = clock.GetUtcNow();
        await TestDatabase.EventuallyAsync(() => Task.FromResult(instances.All(instance =>
                instance.Services.GetRequiredService<DeadlineWatcher>().LastPassAt >= now)),
            $"every deadline watcher has looked at {now:O}");
    }

    private static Task<long> CountAsync(ServiceHost<ReferralApi> instance, string sql, Guid referralId) =>
        TestDatabase.ScalarAsync<long>(instance.DatabaseConnectionString, sql, new { ReferralId = referralId });

    private const string OverdueEvents = """
        select count(*) from outbox_messages
        where message_type like 'Relief.Referral.Contracts.ReferralOverdue,%' and payload->>'referralId' = @ReferralId::text
        """;

    private const string OverdueNotes = "select count(*) from referral_history where referral_id = @ReferralId and action = 'overdue'";

    [Fact]
    public async Task An_unaccepted_referral_goes_overdue_once_with_two_instances_watching()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var database = TestInfrastructure.NewName("referraldb");
        await using var first = await StartedAsync(NewInstance(database, clock));
        await using var second = await StartedAsync(NewInstance(database, clock));
        // Many at once, so that both instances reach for the same rows in the same pass.
        var referrals = new List<Referrals.Opened>();
        for (var i = 0; i < 40; i++)
        {
            referrals.Add(await Referrals.OpenAsync((i % 2 == 0 ? first : second).Services));
        }

        clock.Advance(HighWithin - TimeSpan.FromSeconds(1));
        await EveryWatcherLookedAsync(clock, first, second);
        Assert.Equal(0, await CountAsync(first, OverdueNotes, referrals[0].ReferralId));

        clock.Advance(TimeSpan.FromSeconds(2));
        await EveryWatcherLookedAsync(clock, first, second);

        foreach (var referral in referrals)
        {
            Assert.Equal(1, await CountAsync(first, OverdueEvents, referral.ReferralId));
            Assert.Equal(1, await CountAsync(first, OverdueNotes, referral.ReferralId));
            var overdue = await fixture.Probe.WaitForAsync<ReferralOverdue>(m => m.ReferralId == referral.ReferralId);
            Assert.Equal(("acceptance", 1), (overdue.Message.Kind, overdue.Message.Level));
        }

        // Every event was published (none is left to come), and the probe got each once.
        await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(first.DatabaseConnectionString,
            "select count(*) from outbox_messages where sent_at is null") == 0, "the outbox is sent");
        Assert.All(referrals, referral => Assert.Single(fixture.Probe.Received<ReferralOverdue>(m => m.ReferralId == referral.ReferralId)));
        Assert.Equal(40, await TestDatabase.ScalarAsync<long>(first.DatabaseConnectionString,
            "select count(*) from referrals where overdue_level = 1"));
        // The next level waits one more span after the first was due.
        Assert.Equal(40, await TestDatabase.ScalarAsync<long>(first.DatabaseConnectionString, """
            select count(*) from deadlines d2 join deadlines d1 on d1.referral_id = d2.referral_id and d1.level = 1
            where d2.level = 2 and d2.fired_at is null and d2.due_at = d1.due_at + interval '30 minutes'
            """));
    }

    [Fact]
    public async Task A_deadline_that_passed_while_no_instance_ran_fires_once_when_one_starts_again()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var database = TestInfrastructure.NewName("referraldb");
        Referrals.Opened referral;
        await using (var before = await StartedAsync(NewInstance(database, clock)))
        {
            referral = await Referrals.OpenAsync(before.Services);
            clock.Advance(TimeSpan.FromMinutes(10));
            await EveryWatcherLookedAsync(clock, before);
        }

        // Nothing runs while the deadline passes.
        clock.Advance(HighWithin);
        await using var after = await StartedAsync(NewInstance(database, clock));

        var overdue = await fixture.Probe.WaitForAsync<ReferralOverdue>(m => m.ReferralId == referral.ReferralId);
        Assert.Equal(1, overdue.Message.Level);
        await EveryWatcherLookedAsync(clock, after);
        // A later pass, before the next level is due, fires nothing more.
        clock.Advance(TimeSpan.FromMinutes(5));
        await EveryWatcherLookedAsync(clock, after);
        Assert.Equal(1, await CountAsync(after, OverdueEvents, referral.ReferralId));
        Assert.Equal(1, await CountAsync(after, OverdueNotes, referral.ReferralId));
        Assert.Equal(1, await TestDatabase.ScalarAsync<int>(after.DatabaseConnectionString,
            "select overdue_level from referrals where id = @ReferralId", referral));
    }

    [Fact]
    public async Task An_overdue_referral_escalates_a_level_each_span_until_it_is_accepted()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var instance = await StartedAsync(NewInstance(TestInfrastructure.NewName("referraldb"), clock));
        using var station = await instance.ClientForAsync(TestUsers.StationStaff());
        var referral = await Referrals.OpenAsync(instance.Services);

        clock.Advance(HighWithin + TimeSpan.FromSeconds(1));
        await fixture.Probe.WaitForAsync<ReferralOverdue>(m => m.ReferralId == referral.ReferralId && m.Level == 1);
        clock.Advance(HighWithin);
        var second = await fixture.Probe.WaitForAsync<ReferralOverdue>(m => m.ReferralId == referral.ReferralId && m.Level == 2);
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromSeconds(1), second.Message.DueAt, TimeSpan.FromMilliseconds(1));

        var detail = await Referrals.DetailAsync(station, referral.ReferralId);
        Assert.True(detail.GetProperty("overdue").GetBoolean());
        Assert.Equal(2, detail.GetProperty("overdueLevel").GetInt32());
        // Noted as the service's own doing, under a name people read.
        Assert.Equal(2, detail.GetProperty("history").EnumerateArray().Count(h => h.GetProperty("action").GetString() == "overdue"
            && (h.GetProperty("by").GetString(), h.GetProperty("byName").GetString()) == ("system", "系统：时限 / system: deadlines")));
        // Going overdue does not change the version the station acts on.
        Assert.Equal(1, detail.GetProperty("version").GetInt32());

        await Referrals.ActOkAsync(station, referral.ReferralId, "accept");
        clock.Advance(HighWithin * 3);
        await EveryWatcherLookedAsync(clock, instance);
        Assert.Equal(2, await CountAsync(instance, OverdueEvents, referral.ReferralId));
        Assert.Equal(0, await TestDatabase.ScalarAsync<int>(instance.DatabaseConnectionString,
            "select overdue_level from referrals where id = @ReferralId", referral));
    }

    [Fact]
    public async Task A_stay_past_its_care_days_goes_overdue_and_an_approved_extension_moves_its_end()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var instance = await StartedAsync(NewInstance(TestInfrastructure.NewName("referraldb"), clock));
        using var station = await instance.ClientForAsync(TestUsers.StationStaff());
        using var county = await instance.ClientForAsync(TestUsers.CountyOfficer());
        var referral = await Referrals.OpenAsync(instance.Services);
        var careUntil = (await Referrals.ActOkAsync(station, referral.ReferralId, "accept")).GetProperty("careUntil").GetDateTimeOffset();

        clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromSeconds(1));
        var overdue = await fixture.Probe.WaitForAsync<ReferralOverdue>(m => m.ReferralId == referral.ReferralId);
        Assert.Equal(("care_days", 1, careUntil), (overdue.Message.Kind, overdue.Message.Level, overdue.Message.DueAt));

        using var asked = await station.PostAsJsonAsync(new Uri($"/api/referrals/{referral.ReferralId}/extensions", UriKind.Relative),
            new { days = 5, reason = "正在寻亲，家属已有线索 / the family is being traced" });
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        var extensionId = (await asked.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
        using var approved = await county.PostAsJsonAsync(new Uri($"/api/extensions/{extensionId}/approve", UriKind.Relative), new { });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        var detail = await Referrals.DetailAsync(station, referral.ReferralId);
        Assert.Equal(careUntil.AddDays(5), detail.GetProperty("careUntil").GetDateTimeOffset());
        Assert.False(detail.GetProperty("overdue").GetBoolean());

        // The escalation of the overrun stopped; the new end is watched from level 1.
        clock.Advance(TimeSpan.FromDays(5) - TimeSpan.FromMinutes(1));
        await EveryWatcherLookedAsync(clock, instance);
        Assert.Equal(1, await CountAsync(instance, OverdueEvents, referral.ReferralId));
        clock.Advance(TimeSpan.FromMinutes(2));
        var again = await fixture.Probe.WaitForAsync<ReferralOverdue>(m => m.ReferralId == referral.ReferralId && m.DueAt == careUntil.AddDays(5));
        Assert.Equal(1, again.Message.Level);
    }
}
