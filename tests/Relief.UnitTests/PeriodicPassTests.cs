using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Relief.ServiceDefaults.Concurrency;

namespace Relief.UnitTests;

/// <summary>The loop the background services' passes run in (retention, pruning, deadlines, matching, signing keys).</summary>
public sealed class PeriodicPassTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_failing_pass_is_reported_and_the_next_tick_runs_the_next_pass()
    {
        var clock = new FakeTimeProvider();
        var passes = Channel.CreateUnbounded<int>();
        var failures = new List<Exception>();
        var count = 0;
        using var stop = new CancellationTokenSource();
        var loop = PeriodicPass.RunAsync(Interval, _ =>
            {
                var pass = Interlocked.Increment(ref count);
                passes.Writer.TryWrite(pass);
                return pass == 1 ? Task.FromException(new InvalidOperationException("the database is away")) : Task.CompletedTask;
            },
            e => { lock (failures) { failures.Add(e); } }, stop.Token, clock: clock);

        Assert.Equal(1, await passes.Reader.ReadAsync().AsTask().WaitAsync(Deadline));
        clock.Advance(Interval);
        Assert.Equal(2, await passes.Reader.ReadAsync().AsTask().WaitAsync(Deadline));
        lock (failures)
        {
            Assert.IsType<InvalidOperationException>(Assert.Single(failures));
        }

        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.WaitAsync(Deadline));
        Assert.False(passes.Reader.TryRead(out _), "no pass after the stop");
    }

    [Fact]
    public async Task Without_a_first_pass_at_once_nothing_runs_before_the_first_interval()
    {
        var clock = new FakeTimeProvider();
        var passes = Channel.CreateUnbounded<DateTimeOffset>();
        using var stop = new CancellationTokenSource();
        var started = clock.GetUtcNow();
        var loop = PeriodicPass.RunAsync(Interval, _ =>
            {
                passes.Writer.TryWrite(clock.GetUtcNow());
                return Task.CompletedTask;
            },
            _ => { }, stop.Token, firstPassAtOnce: false, clock: clock);

        // The fake clock runs due timers inside Advance: just short of the interval, none is due …
        clock.Advance(Interval - TimeSpan.FromSeconds(1));
        Assert.False(passes.Reader.TryRead(out _), "no pass before the first interval");
        // … and the interval's end does.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(started + Interval, await passes.Reader.ReadAsync().AsTask().WaitAsync(Deadline));

        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.WaitAsync(Deadline));
    }

    [Fact]
    public async Task A_stop_during_a_pass_is_not_reported_as_a_failure()
    {
        var passing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failures = 0;
        using var stop = new CancellationTokenSource();
        var loop = PeriodicPass.RunAsync(Interval, async cancellationToken =>
            {
                passing.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            },
            _ => Interlocked.Increment(ref failures), stop.Token, clock: new FakeTimeProvider());

        await passing.Task.WaitAsync(Deadline);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.WaitAsync(Deadline));
        Assert.Equal(0, failures);
    }
}
