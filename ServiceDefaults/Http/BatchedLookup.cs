using System.Diagnostics;
using System.Net.Http.Json;
using System.Threading.Channels;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.ServiceDefaults.Http;

/// <summary>
/// Looks up one key at a time for its callers, and many at a time at the source: the lookups asked for while a call to the
/// source is in flight wait and go together in the next call (up to <see cref="BatchedLookup.MaxBatch"/> keys). A consumer reads each
/// case's facts from Intake; with sixteen messages handled at once that was sixteen HTTP calls, each with its own
/// authentication, spans and round trip to Intake's database — the largest share of Registry's and Referral's CPU under
/// load. Under no load a key is looked up alone at once, so nothing waits that did not have to.
/// </summary>
/// <remarks>
/// A failed call fails every lookup in it (each caller's message is then retried as it would have been on its own); a key
/// the source does not know is <c>null</c>. A caller that gives up stops waiting; its key may still be fetched.
/// </remarks>
public sealed class BatchedLookup<TKey, TValue> : IAsyncDisposable where TKey : notnull where TValue : class
{
    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> fetch;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task reader;

    /// <param name="fetch">Reads the values of up to <see cref="BatchedLookup.MaxBatch"/> distinct keys; keys it leaves out are unknown.</param>
    public BatchedLookup(Func<IReadOnlyList<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> fetch)
    {
        this.fetch = fetch;
        // Not in the context of whoever asked first: the reader outlives that message, and its calls are traces of their own.
        using (ExecutionContext.SuppressFlow())
        {
            reader = Task.Run(ReadAsync);
        }
    }

    public Task<TValue?> GetAsync(TKey key, CancellationToken cancellationToken)
    {
        var pending = new Pending(key, Activity.Current?.Context ?? default,
            new TaskCompletionSource<TValue?>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(BatchedLookup<TKey, TValue>), "The service is stopping.");
        }

        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task ReadAsync()
    {
        var batch = new List<Pending>(BatchedLookup.MaxBatch);
        var keys = new HashSet<TKey>();
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            keys.Clear();
            // Distinct keys up to the limit; a key asked for twice is fetched once and answers both.
            while (keys.Count < BatchedLookup.MaxBatch && queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                keys.Add(pending.Key);
            }

            // One trace per call, linked to the trace of each message it answers.
            using var activity = ReliefTelemetry.ActivitySource.StartActivity("batched lookup", ActivityKind.Internal, parentContext: default,
                links: batch.Where(pending => pending.Caller != default).Select(pending => new ActivityLink(pending.Caller)));
            activity?.SetTag("relief.lookup.keys", keys.Count);
            try
            {
                var found = await fetch([.. keys], stopping.Token);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult(found.GetValueOrDefault(pending.Key));
                }
            }
            catch (Exception e)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(e);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await stopping.CancelAsync();
        await reader;
        stopping.Dispose();
    }

    private sealed record Pending(TKey Key, ActivityContext Caller, TaskCompletionSource<TValue?> Done);
}

public static class BatchedLookup
{
    /// <summary>The most distinct keys one call asks for (and the most a batch endpoint need accept).</summary>
    public const int MaxBatch = 100;

    /// <summary>
    /// A lookup whose calls go to another service's batch endpoint: <c>POST {path}</c> with <c>{"ids": [...]}</c>, answered by
    /// the values it has (the others left out). <paramref name="clientName"/> is a named client carrying the caller's token.
    /// </summary>
    public static BatchedLookup<TKey, TValue> OverHttp<TKey, TValue>(IHttpClientFactory clients, string clientName, string path, Func<TValue, TKey> keyOf)
        where TKey : notnull where TValue : class =>
        new(async (ids, cancellationToken) =>
        {
            using var http = clients.CreateClient(clientName);
            using var response = await http.PostAsJsonAsync(new Uri(path, UriKind.Relative), new { ids }, cancellationToken);
            response.EnsureSuccessStatusCode();
            var values = await response.Content.ReadFromJsonAsync<TValue[]>(cancellationToken)
                ?? throw new InvalidOperationException($"{path} answered nothing.");
            return values.ToDictionary(keyOf);
        });
}
