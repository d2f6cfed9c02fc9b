using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Relief.Benchmarks;

/// <summary>
/// What one phase of load did: answers, latencies (from when each request was due), the cases it created and, for each,
/// the <see cref="Stopwatch"/> timestamp its request was due at — so a case can be timed to where it arrives downstream.
/// </summary>
public sealed record LoadResult(
    int Sent, int Created, int Failed, TimeSpan Elapsed, double[] LatenciesMs, IReadOnlyList<Guid> CaseIds, IReadOnlyList<long> CaseDueAt)
{
    public double RequestsPerSecond => Created / Elapsed.TotalSeconds;
    public double Percentile(double p) => LoadGenerator.Percentile(LatenciesMs, p);
}

/// <summary>
/// POSTs one case per request over a fixed number of connections, either as fast as answers come (closed loop: the
/// capacity) or at a fixed rate (open loop: latency is measured from when a request was due, so a stall counts against
/// every request it delayed).
/// </summary>
public sealed class LoadGenerator(Uri endpoint, string? bearerToken, int connections, IReadOnlyList<byte[]>? bodies = null) : IDisposable
{
    /// <summary>The same case at a point of each county (<paramref name="points"/>: code → county), round robin.</summary>
    public static IReadOnlyList<byte[]> CasesAt(IEnumerable<(string Point, string County)> points) =>
        points.Select(p => Encoding.UTF8.GetBytes(CaseBody.Replace("YH-CC-001", p.Point, StringComparison.Ordinal)
            .Replace("140802", p.County, StringComparison.Ordinal))).ToList();

    private readonly IReadOnlyList<byte[]> bodies = bodies ?? [Body];
    private int next;

    public const string CaseBody = """
        {"servicePointCode":"YH-CC-001","countyCode":"140802","channel":"WalkIn","need":"Referral","sex":"Male","estimatedAge":50,"circumstances":"Stranded at the bus station without a fare home."}
        """;

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(CaseBody);

    private readonly HttpClient client = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseCookies = false,
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    public Task<LoadResult> ClosedLoopAsync(TimeSpan duration) => RunAsync(duration, rate: null);

    public Task<LoadResult> FixedRateAsync(double perSecond, TimeSpan duration) => RunAsync(duration, perSecond);

    private async Task<LoadResult> RunAsync(TimeSpan duration, double? rate)
    {
        var latencies = new List<double>();
        var ids = new List<Guid>();
        var dueAt = new List<long>();
        int sent = 0, created = 0, failed = 0;
        var clock = Stopwatch.StartNew();
        var origin = Stopwatch.GetTimestamp();

        async Task SendAsync(TimeSpan due)
        {
            Interlocked.Increment(ref sent);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
                {
                    Content = new ByteArrayContent(bodies[(int)((uint)Interlocked.Increment(ref next) % (uint)bodies.Count)]),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                if (bearerToken is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
                }

                using var response = await client.SendAsync(request);
                var answer = await response.Content.ReadAsStringAsync();
                var latency = (clock.Elapsed - due).TotalMilliseconds;
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    var id = JsonDocument.Parse(answer).RootElement.GetProperty("id").GetGuid();
                    lock (latencies)
                    {
                        latencies.Add(latency);
                        ids.Add(id);
                        dueAt.Add(origin + (long)(due.TotalSeconds * Stopwatch.Frequency));
                        created++;
                    }
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref failed);
            }
        }

        if (rate is { } perSecond)
        {
            var inFlight = new List<Task>();
            for (var i = 0; ; i++)
            {
                var due = TimeSpan.FromSeconds(i / perSecond);
                if (due >= duration)
                {
                    break;
                }

                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(wait);
                }

                inFlight.Add(SendAsync(due));
            }

            await Task.WhenAll(inFlight);
        }
        else
        {
            await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
            {
                while (clock.Elapsed < duration)
                {
                    await SendAsync(clock.Elapsed);
                }
            }));
        }

        return new LoadResult(sent, created, failed, clock.Elapsed, [.. latencies], ids, dueAt);
    }

    public static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
    }

    public void Dispose() => client.Dispose();
}
