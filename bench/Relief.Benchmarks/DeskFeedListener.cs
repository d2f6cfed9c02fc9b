using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace Relief.Benchmarks;

/// <summary>
/// A duty desk's live feed as the portal reads it: one Server-Sent Events connection, kept open, that notes when each
/// case's <c>desk-item</c> arrived (a <see cref="Stopwatch"/> timestamp, on the same clock as <see cref="LoadResult.CaseDueAt"/>).
/// A dropped connection is reopened with <c>Last-Event-ID</c>, as a browser does, and counted: items replayed then still
/// count, at the time they finally arrived.
/// </summary>
internal sealed class DeskFeedListener : IAsyncDisposable
{
    private readonly HttpClient client = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ConcurrentDictionary<Guid, long> arrivals = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Uri stream;
    private readonly string? bearerToken;
    private readonly TaskCompletionSource connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task reading = Task.CompletedTask;
    private string? lastEventId;
    private int duplicates;
    private int reconnects;
    private int malformed;

    private DeskFeedListener(Uri stream, string? bearerToken)
    {
        this.stream = stream;
        this.bearerToken = bearerToken;
    }

    /// <summary>Items that arrived for a case already seen: the feed must send each desk item once.</summary>
    public int Duplicates => Volatile.Read(ref duplicates);

    /// <summary>desk-item events whose data was not a desk item with a caseId.</summary>
    public int Malformed => Volatile.Read(ref malformed);

    /// <summary>How often the connection dropped and was reopened with Last-Event-ID.</summary>
    public int Reconnects => Volatile.Read(ref reconnects);

    /// <summary>
    /// Opens the stream; fails at once (naming the answer) when the first connection is refused. A feed that sends its
    /// headers only with its first event is still waited for: the warm-up's first item connects it.
    /// </summary>
    public static async Task<DeskFeedListener> ConnectAsync(Uri stream, string? bearerToken)
    {
        var listener = new DeskFeedListener(stream, bearerToken);
        listener.reading = listener.ReadAsync();
        await Task.WhenAny(listener.connected.Task, Task.Delay(TimeSpan.FromSeconds(10)));
        if (listener.connected.Task.IsFaulted)
        {
            await listener.connected.Task;
        }
        else if (!listener.connected.Task.IsCompleted)
        {
            Console.WriteLine($"  (no answer yet from {stream}: its headers come with the first item)");
        }

        return listener;
    }

    /// <summary>Why the feed could not be read at all (its first connection refused), or null.</summary>
    public string? Failure => connected.Task.IsFaulted ? connected.Task.Exception!.InnerException!.Message : null;

    public bool TryGetArrival(Guid caseId, out long at) => arrivals.TryGetValue(caseId, out at);

    /// <summary>Waits until every case has arrived or the time is up; returns the cases that did not.</summary>
    public async Task<IReadOnlyList<Guid>> WaitForAsync(IReadOnlyList<Guid> cases, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        List<Guid> missing;
        while ((missing = [.. cases.Where(id => !arrivals.ContainsKey(id))]).Count > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(200);
        }

        return missing;
    }

    private async Task ReadAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, stream);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                if (bearerToken is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
                }

                if (lastEventId is not null)
                {
                    request.Headers.Add("Last-Event-ID", lastEventId);
                }

                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
                if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "text/event-stream")
                {
                    var refused = new InvalidOperationException(
                        $"GET {stream} answered {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}, not an event stream.");
                    if (connected.TrySetException(refused))
                    {
                        return;
                    }

                    throw refused;
                }

                connected.TrySetResult();
                await using var body = await response.Content.ReadAsStreamAsync(stop.Token);
                await foreach (var item in SseParser.Create(body).EnumerateAsync(stop.Token))
                {
                    var at = Stopwatch.GetTimestamp();
                    if (item.EventType == "desk-item")
                    {
                        Note(item.Data, at);
                    }

                    lastEventId = item.EventId ?? lastEventId;
                }

                // The server ended the stream: reconnect, as a browser's EventSource does.
                Interlocked.Increment(ref reconnects);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException)
            {
                if (connected.TrySetException(e))
                {
                    return;
                }

                Interlocked.Increment(ref reconnects);
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }

    /// <summary>
    /// Only the item telling the station of the referral counts: a case can reach the same desk again later for other
    /// reasons (an overdue referral), which is not what is timed.
    /// </summary>
    private void Note(string data, long at)
    {
        Guid caseId;
        try
        {
            using var item = JsonDocument.Parse(data);
            var root = item.RootElement;
            if (root.TryGetProperty("kind", out var kind) && kind.GetString() != "referral_requested")
            {
                return;
            }

            caseId = root.GetProperty("caseId").GetGuid();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            Interlocked.Increment(ref malformed);
            return;
        }

        if (!arrivals.TryAdd(caseId, at))
        {
            Interlocked.Increment(ref duplicates);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await reading;
        stop.Dispose();
        client.Dispose();
    }
}
