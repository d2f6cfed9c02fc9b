using System.Diagnostics;
using System.Globalization;
using Dapper;
using Npgsql;
using Relief.Ops;

namespace Relief.Benchmarks;

/// <summary>
/// Issue 12's promise, "the right desk knows at once": the whole stack as users start it, a receiving station's staff
/// member connected to Notification's live duty-desk feed (<c>GET /api/desk/stream</c>), and point staff registering cases
/// that need a referral at a sustained rate (open loop, paced: a slow answer does not slow the offer). Each case is timed
/// from when its POST was due to when its <c>desk-item</c> arrived on the feed, matched by caseId; every case posted must
/// arrive. Beside it, in the same run on the same machine, the bare path of the same shape (<see cref="BareBaselineServer"/>
/// with its desk: POST → insert + publish → consume → insert + pg_notify → LISTEN → Server-Sent Event) at the same rate.
/// </summary>
internal static class DeskFeedBenchmark
{
    private const int Connections = 32;
    private const int BaselinePort = 5191;
    private static readonly Uri Intake = new("http://localhost:5101/api/cases");
    private static readonly Uri DeskStream = new("http://localhost:5104/api/desk/stream");
    private static readonly TimeSpan StackWarmUp = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BaselineWarmUp = TimeSpan.FromSeconds(15);

    /// <summary>How long after its last POST a phase waits for the feed before the cases not on it count as missing.</summary>
    private static readonly TimeSpan Drain = TimeSpan.FromMinutes(2);

    private sealed record Run(string Name, LoadResult Load, double[] LatenciesMs, IReadOnlyList<Guid> Missing,
        int Duplicates, int Reconnects, int Malformed, string? FeedFailure)
    {
        public int Received => Load.Created - Missing.Count;
        public double Percentile(double p) => LoadGenerator.Percentile(LatenciesMs, p);
    }

    public static async Task RunAsync(string? root, TimeSpan measured, double rate)
    {
        var culture = CultureInfo.InvariantCulture;
        var report = new List<string>();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.Add(line);
        }

        Say(string.Create(culture,
            $"Desk feed benchmark — {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}: POST of a case needing referral → its desk-item on the receiving station's SSE feed"));
        Say(string.Create(culture,
            $"{rate:N0} cases/s offered (open loop, paced, up to {Connections} connections), {measured.TotalSeconds:N0} s measured after a warm-up; times from when each POST was due"));

        var runs = new List<Run>();
        runs.AddRange(await MeasureBaselineAsync(measured, rate));
        Dictionary<string, double>? cpuPerCase = null;
        Stages? stages = null;
        if (root is not null)
        {
            var data = Directory.CreateTempSubdirectory("relief-bench-").FullName;
            var stack = await AppHostStack.StartAsync(root, data);
            try
            {
                var pointStaff = await PipelineBenchmark.SetUpAsync();
                var stationStaff = await StationStaffAsync();
                await using var feed = await DeskFeedListener.ConnectAsync(DeskStream, stationStaff);
                using var load = new LoadGenerator(Intake, pointStaff, Connections);
                runs.Add(await MeasureAsync(string.Create(culture, $"whole stack, warm-up ({StackWarmUp.TotalSeconds:N0} s)"), load, feed, rate, StackWarmUp));
                var before = StackProcesses.Take(data);
                var run = await MeasureAsync(string.Create(culture, $"whole stack ({measured.TotalSeconds:N0} s)"), load, feed, rate, measured);
                var after = StackProcesses.Take(data);
                runs.Add(run);
                stages = await StagesAsync(new LocalStack(data), run);
                cpuPerCase = StackProcesses.CpuBetween(before, after).ToDictionary(pair => pair.Key, pair => 1000 * pair.Value / Math.Max(1, run.Load.Created));
            }
            finally
            {
                await stack.StopAsync();
                Directory.Delete(data, recursive: true);
            }

            Say(stack.DroppedTelemetryLine);
        }

        Say("");
        Say(string.Create(culture,
            $"{"phase",-30} {"cases/s",8} {"posted",7} {"created",8} {"on feed",8} {"missing",8} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"max ms",8} {"POST p50",9} {"POST p99",9}"));
        foreach (var run in runs)
        {
            Say(string.Create(culture,
                $"{run.Name,-30} {run.Load.Sent / run.Load.Elapsed.TotalSeconds,8:N1} {run.Load.Sent,7} {run.Load.Created,8} {run.Received,8} {run.Missing.Count,8} {run.Percentile(50),8:N1} {run.Percentile(90),8:N1} {run.Percentile(99),8:N1} {run.Percentile(100),8:N1} {run.Load.Percentile(50),9:N1} {run.Load.Percentile(99),9:N1}"));
        }

        Say("(POST p50/p99: the POST's own answer — intake's latency on the stack; a case missing from the feed counts as ∞ in its row's percentiles)");
        foreach (var run in runs)
        {
            if (run.Load.Failed > 0 || run.Missing.Count > 0 || run.Duplicates > 0 || run.Reconnects > 0 || run.Malformed > 0)
            {
                var first = run.Missing.Count > 0 ? $" (first: {string.Join(", ", run.Missing.Take(10))})" : "";
                Say(string.Create(culture,
                    $"  {run.Name}: {run.Load.Failed} POSTs failed, {run.Missing.Count} created cases never reached the feed{first}, {run.Duplicates} sent twice, {run.Malformed} malformed items, {run.Reconnects} reconnects{(run.FeedFailure is null ? "" : "; the feed: " + run.FeedFailure)}"));
            }
        }

        var measuredBaseline = runs.Single(run => run.Name.StartsWith("bare baseline (", StringComparison.Ordinal));
        if (runs.LastOrDefault(run => run.Name.StartsWith("whole stack (", StringComparison.Ordinal)) is { } whole)
        {
            Say("");
            Say(string.Create(culture,
                $"whole stack against the baseline: p50 {whole.Percentile(50):N1} against {measuredBaseline.Percentile(50):N1} ms, p99 {whole.Percentile(99):N1} against {measuredBaseline.Percentile(99):N1} ms " +
                $"(×{whole.Percentile(99) / measuredBaseline.Percentile(99):N1}); issue 12's target p99 under 1,000 ms: {(whole.Percentile(99) < 1000 && whole.Missing.Count == 0 ? "met" : "NOT met")}"));
            Say(string.Create(culture, $"sustained: {whole.Load.Sent / whole.Load.Elapsed.TotalSeconds:N1} cases/s posted of {rate:N0} offered, {whole.Load.Created} created, {whole.Received} on the feed"));
        }

        if (stages is not null)
        {
            string Of(double[] ms) => string.Create(culture, $"p50 {LoadGenerator.Percentile(ms, 50):N1} / p99 {LoadGenerator.Percentile(ms, 99):N1} ms");
            Say($"where the time went (whole stack, measured phase; from the databases' timestamps, {stages.Intake.Length} cases):");
            Say($"  POST due → case registered (intake)                                   {Of(stages.Intake)}");
            Say($"  registered → on the station's desk (outbox, Referral, Notification)   {Of(stages.Bus)}");
            Say($"  on the desk → on the feed (commit, wake-up, read, SSE)                {Of(stages.Feed)}");
        }

        if (cpuPerCase is not null)
        {
            Say("CPU per case on the stack, measured phase (ms of CPU, drain included): " + string.Join(", ", cpuPerCase.Where(pair => pair.Value > 0.005)
                .Select(pair => string.Create(culture, $"{pair.Key} {pair.Value:N2}"))) + string.Create(culture, $"; total {cpuPerCase.Values.Sum():N2}"));
        }

        if (root is not null)
        {
            var file = Path.Combine(root, "bench", "results", "desk-feed-latest.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllLinesAsync(file, report);
        }
    }

    /// <summary>The bare path of the same shape, in a process of its own, on the run's PostgreSQL and RabbitMQ.</summary>
    private static async Task<Run[]> MeasureBaselineAsync(TimeSpan measured, double rate)
    {
        var server = await BareBaselineServer.StartAsync(BaselinePort, desk: true);
        try
        {
            await using var feed = await DeskFeedListener.ConnectAsync(new Uri($"http://127.0.0.1:{BaselinePort}/desk/stream"), null);
            using var load = new LoadGenerator(new Uri($"http://127.0.0.1:{BaselinePort}/cases"), null, Connections);
            var culture = CultureInfo.InvariantCulture;
            return
            [
                await MeasureAsync(string.Create(culture, $"bare baseline, warm-up ({BaselineWarmUp.TotalSeconds:N0} s)"), load, feed, rate, BaselineWarmUp),
                await MeasureAsync(string.Create(culture, $"bare baseline ({measured.TotalSeconds:N0} s)"), load, feed, rate, measured),
            ];
        }
        finally
        {
            await BareBaselineServer.StopAsync(server);
        }
    }

    private static async Task<Run> MeasureAsync(string name, LoadGenerator load, DeskFeedListener feed, double rate, TimeSpan duration)
    {
        Console.WriteLine($"  … {name}");
        var (duplicates, reconnects, malformed) = (feed.Duplicates, feed.Reconnects, feed.Malformed);
        var posted = await load.FixedRateAsync(rate, duration);
        var missing = await feed.WaitForAsync(posted.CaseIds, Drain);
        var latencies = posted.CaseIds.Select((id, i) => feed.TryGetArrival(id, out var at)
            ? Stopwatch.GetElapsedTime(posted.CaseDueAt[i], at).TotalMilliseconds
            : double.PositiveInfinity).ToArray();
        return new Run(name, posted, latencies, missing,
            feed.Duplicates - duplicates, feed.Reconnects - reconnects, feed.Malformed - malformed, feed.Failure);
    }

    /// <summary>A case's time in three stages, each case's own, in milliseconds.</summary>
    private sealed record Stages(double[] Intake, double[] Bus, double[] Feed);

    /// <summary>
    /// Splits each delivered case's time at the two timestamps the services record — intake's registered_at and the desk
    /// row's created_at — so a slow run says whether the queues or the feed held it (the machine's one clock for all).
    /// </summary>
    private static async Task<Stages> StagesAsync(LocalStack stack, Run run)
    {
        var ids = run.Load.CaseIds.ToArray();
        await using var intake = new NpgsqlConnection(stack.DatabaseConnectionString("intake"));
        var registered = (await intake.QueryAsync<(Guid CaseId, DateTime At)>(
            "select id, registered_at from cases where id = any(@ids)", new { ids })).ToDictionary(row => row.CaseId, row => row.At);
        await using var notifications = new NpgsqlConnection(stack.DatabaseConnectionString("notification"));
        var onDesk = (await notifications.QueryAsync<(Guid CaseId, DateTime At)>("""
            select case_id, min(created_at) from notifications
            where case_id = any(@ids) and kind = 'referral_requested'
            group by case_id
            """, new { ids })).ToDictionary(row => row.CaseId, row => row.At);

        var (wallNow, clockNow) = (DateTime.UtcNow, Stopwatch.GetTimestamp());
        List<double> toIntake = [], toDesk = [], toFeed = [];
        for (var i = 0; i < ids.Length; i++)
        {
            if (double.IsFinite(run.LatenciesMs[i]) && registered.TryGetValue(ids[i], out var at) && onDesk.TryGetValue(ids[i], out var desk))
            {
                var due = wallNow - Stopwatch.GetElapsedTime(run.Load.CaseDueAt[i], clockNow);
                toIntake.Add((at - due).TotalMilliseconds);
                toDesk.Add((desk - at).TotalMilliseconds);
                toFeed.Add((due.AddMilliseconds(run.LatenciesMs[i]) - desk).TotalMilliseconds);
            }
        }

        return new Stages([.. toIntake], [.. toDesk], [.. toFeed]);
    }

    /// <summary>The relief station of the bench point's county (盐湖区救助管理站), which receives its referrals, and a staff member's token there.</summary>
    private static Task<string> StationStaffAsync() =>
        AppHostStack.OfficeUserAsync("YH-JZZ", "盐湖区救助管理站", "relief_station", "140802", "bench.station", "station_staff");
}
