using System.Diagnostics;
using Relief.ServiceDefaults.Http;

namespace Relief.UnitTests;

/// <summary>The coalescing of consumers' lookups (the source is a function here: the logic alone).</summary>
public sealed class BatchedLookupTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>A source whose calls are recorded and held until released.</summary>
    private sealed class HeldSource
    {
        public List<IReadOnlyList<int>> Calls { get; } = [];
        public TaskCompletionSource Release { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource FirstCallStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Exception? Failure { get; set; }

        public async Task<IReadOnlyDictionary<int, string>> FetchAsync(IReadOnlyList<int> keys, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add(keys);
            }

            FirstCallStarted.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            if (Failure is { } failure)
            {
                throw failure;
            }

            // Odd keys are unknown to the source.
            return keys.Where(key => key % 2 == 0).ToDictionary(key => key, key => $"value {key}");
        }
    }

    [Fact]
    public async Task Lookups_asked_for_while_a_call_is_in_flight_go_together_in_the_next_call()
    {
        var source = new HeldSource();
        await using var lookup = new BatchedLookup<int, string>(source.FetchAsync);

        var first = lookup.GetAsync(2, CancellationToken.None);
        await source.FirstCallStarted.Task.WaitAsync(Deadline);
        var waiting = new[] { 4, 6, 7, 4 }.Select(key => lookup.GetAsync(key, CancellationToken.None)).ToArray();
        source.Release.TrySetResult();

        Assert.Equal("value 2", await first.WaitAsync(Deadline));
        var answers = await Task.WhenAll(waiting).WaitAsync(Deadline);
        Assert.Equal(new string?[] { "value 4", "value 6", null, "value 4" }, answers);
        // One call for the first key alone, one for the distinct keys that waited behind it.
        Assert.Equal(2, source.Calls.Count);
        Assert.Equal(new[] { 2 }, source.Calls[0]);
        Assert.Equal(new[] { 4, 6, 7 }, source.Calls[1].Order());
    }

    [Fact]
    public async Task A_call_takes_at_most_the_batch_limit_of_distinct_keys()
    {
        var source = new HeldSource();
        await using var lookup = new BatchedLookup<int, string>(source.FetchAsync);
        var first = lookup.GetAsync(0, CancellationToken.None);
        await source.FirstCallStarted.Task.WaitAsync(Deadline);
        var many = Enumerable.Range(1, BatchedLookup.MaxBatch + 10)
            .Select(key => lookup.GetAsync(key * 2, CancellationToken.None)).ToArray();
        source.Release.TrySetResult();

        await first.WaitAsync(Deadline);
        Assert.All(await Task.WhenAll(many).WaitAsync(Deadline), Assert.NotNull);
        Assert.Equal(new[] { 1, BatchedLookup.MaxBatch, 10 }, source.Calls.Select(call => call.Count));
    }

    [Fact]
    public async Task A_failed_call_fails_every_lookup_in_it_and_the_next_ones_are_tried_afresh()
    {
        var source = new HeldSource { Failure = new HttpRequestException("Intake is down") };
        await using var lookup = new BatchedLookup<int, string>(source.FetchAsync);
        var first = lookup.GetAsync(2, CancellationToken.None);
        await source.FirstCallStarted.Task.WaitAsync(Deadline);
        var second = lookup.GetAsync(4, CancellationToken.None);
        source.Release.TrySetResult();

        await Assert.ThrowsAsync<HttpRequestException>(() => first.WaitAsync(Deadline));
        await Assert.ThrowsAsync<HttpRequestException>(() => second.WaitAsync(Deadline));

        source.Failure = null;
        Assert.Equal("value 8", await lookup.GetAsync(8, CancellationToken.None).WaitAsync(Deadline));
    }

    [Fact]
    public async Task A_caller_that_gives_up_stops_waiting_and_the_others_get_their_answers()
    {
        var source = new HeldSource();
        await using var lookup = new BatchedLookup<int, string>(source.FetchAsync);
        using var givingUp = new CancellationTokenSource();
        var abandoned = lookup.GetAsync(2, givingUp.Token);
        var patient = lookup.GetAsync(4, CancellationToken.None);
        await source.FirstCallStarted.Task.WaitAsync(Deadline);

        await givingUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(Deadline));
        source.Release.TrySetResult();
        Assert.Equal("value 4", await patient.WaitAsync(Deadline));
    }

    [Fact]
    public async Task Its_calls_do_not_run_in_the_trace_of_whoever_created_it()
    {
        var seen = new List<string?>();
        using var firstMessage = new Activity("the first message's consumer").Start();
        await using var lookup = new BatchedLookup<int, string>((keys, _) =>
        {
            seen.Add(Activity.Current?.OperationName);
            return Task.FromResult<IReadOnlyDictionary<int, string>>(keys.ToDictionary(key => key, key => $"value {key}"));
        });

        Assert.Equal("value 2", await lookup.GetAsync(2, CancellationToken.None).WaitAsync(Deadline));
        Assert.DoesNotContain("the first message's consumer", seen);
        Assert.Single(seen);
    }
}
