using Microsoft.Extensions.Time.Testing;
using Relief.ServiceDefaults.Messaging;

namespace Relief.UnitTests;

/// <summary>When a receive queue counts as having lost its consumer, from what the broker answered over time.</summary>
public sealed class ConsumerWatchdogTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(15);

    private static Dictionary<string, uint?> Readings(params (string Queue, uint? Consumers)[] queues) =>
        queues.ToDictionary(queue => queue.Queue, queue => queue.Consumers);

    [Fact]
    public void A_queue_without_consumer_past_the_grace_is_lost_and_a_consumed_one_never()
    {
        var clock = new FakeTimeProvider();
        var watchdog = new ConsumerWatchdog(clock);

        for (var reading = 0; reading <= 4; reading++)
        {
            // 0, 15, 30, 45, 60 s: not yet past the grace.
            Assert.Empty(watchdog.Observe(Readings(("notification-referral-requested", 0), ("notification-case-registered", 1)), Grace));
            clock.Advance(Refresh);
        }

        Assert.Equal(["notification-referral-requested"],
            watchdog.Observe(Readings(("notification-referral-requested", 0), ("notification-case-registered", 1)), Grace));
        Assert.Equal(6, watchdog.WithoutConsumer["notification-referral-requested"].Readings);
        Assert.False(watchdog.WithoutConsumer.ContainsKey("notification-case-registered"));
    }

    [Fact]
    public void A_missing_queue_counts_as_without_consumer()
    {
        var clock = new FakeTimeProvider();
        var watchdog = new ConsumerWatchdog(clock);

        Assert.Empty(watchdog.Observe(Readings(("intake-referral-requested", null)), Grace));
        clock.Advance(Grace + Refresh);

        Assert.Equal(["intake-referral-requested"], watchdog.Observe(Readings(("intake-referral-requested", null)), Grace));
    }

    [Fact]
    public void A_consumer_back_before_the_grace_starts_the_count_again()
    {
        var clock = new FakeTimeProvider();
        var watchdog = new ConsumerWatchdog(clock);

        watchdog.Observe(Readings(("registry-case-registered", 0)), Grace);
        clock.Advance(Grace - Refresh);
        watchdog.Observe(Readings(("registry-case-registered", 2)), Grace);
        Assert.Empty(watchdog.WithoutConsumer);
        clock.Advance(Refresh);
        watchdog.Observe(Readings(("registry-case-registered", 0)), Grace);
        clock.Advance(Grace - Refresh);

        Assert.Empty(watchdog.Observe(Readings(("registry-case-registered", 0)), Grace));
        Assert.Equal(2, watchdog.WithoutConsumer["registry-case-registered"].Readings);
    }

    [Fact]
    public void A_broker_that_cannot_be_asked_does_not_count_towards_the_grace()
    {
        var clock = new FakeTimeProvider();
        var watchdog = new ConsumerWatchdog(clock);

        watchdog.Observe(Readings(("referral-case-registered", 0)), Grace);
        clock.Advance(Grace);
        // The broker was down meanwhile: MassTransit reconnects once it is back, and gets the whole grace for it.
        watchdog.Unknown();
        clock.Advance(Refresh);

        Assert.Empty(watchdog.Observe(Readings(("referral-case-registered", 0)), Grace));
    }

    [Fact]
    public void After_a_restart_every_queue_gets_the_whole_grace_again()
    {
        var clock = new FakeTimeProvider();
        var watchdog = new ConsumerWatchdog(clock);
        watchdog.Observe(Readings(("reporting-case-registered", 0)), Grace);
        clock.Advance(Grace + Refresh);
        Assert.Single(watchdog.Observe(Readings(("reporting-case-registered", 0)), Grace));

        watchdog.Restarted();
        clock.Advance(Refresh);

        Assert.Equal(clock.GetUtcNow() - Refresh, watchdog.LastRestart);
        Assert.Empty(watchdog.Observe(Readings(("reporting-case-registered", 0)), Grace));
    }
}
