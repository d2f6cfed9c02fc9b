using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;
using Relief.Ops;

namespace Relief.Benchmarks;

/// <summary>
/// The whole pipeline as users start it — the AppHost in Release, local PostgreSQL and RabbitMQ, five services and the
/// dashboard — beside the bare baseline endpoint measured in the same run on the same machine. Cases that need a referral
/// are posted to intake at 32 connections; each case's time to its duty-desk notification is read from the databases.
/// </summary>
internal static class PipelineBenchmark
{
    private const int Connections = 32;
    private static readonly Uri Intake = new("http://localhost:5101/api/cases");
    /// <summary>Every service that consumes intake's events: frozen while intake is measured alone.</summary>
    private static readonly string[] Consumers = ["registry", "referral", "notification", "familysearch", "reporting"];
    private static readonly string[] ServiceDatabases = ["intakedb", "registrydb", "referraldb", "notificationdb"];

    public static async Task RunAsync(string root, TimeSpan measured)
    {
        var culture = CultureInfo.InvariantCulture;
        var report = new List<string>();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.Add(line);
        }

        Say(string.Create(culture, $"Pipeline benchmark — {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}"));

        // The bare baseline, in its own process, on the test run's PostgreSQL and RabbitMQ.
        var baseline = await MeasureBaselineAsync();
        var target = Math.Round(baseline.RequestsPerSecond * 0.2);
        Say(string.Create(culture,
            $"bare baseline (validate + insert + publish → consume), {Connections} connections, closed loop: {baseline.RequestsPerSecond:N0} req/s, p50 {baseline.Percentile(50):N1} ms, p99 {baseline.Percentile(99):N1} ms"));
        Say(string.Create(culture, $"target: 20% of the baseline = {target:N0} cases/s, offered at a fixed rate over {Connections} connections"));

        var data = Directory.CreateTempSubdirectory("relief-bench-").FullName;
        var stack = await AppHostStack.StartAsync(root, data);
        try
        {
            var token = await SetUpAsync();
            var cold = await PhaseAsync("first 30 s after a start", () => Load(token).FixedRateAsync(target, TimeSpan.FromSeconds(30)), data);
            var capacity = await PhaseAsync("capacity (closed loop, 30 s)", () => Load(token).ClosedLoopAsync(TimeSpan.FromSeconds(30)), data);
            var warm = await PhaseAsync(string.Create(culture, $"after warm-up ({measured.TotalSeconds:N0} s)"),
                () => Load(token).FixedRateAsync(target, measured), data);

            Say("");
            Say(string.Create(culture,
                $"{"phase",-32} {"offered",9} {"cases/s",9} {"of base",8} {"p50 ms",8} {"p99 ms",8} {"lag p50",9} {"lag p99",9} {"failed",7}"));
            foreach (var (phase, offered) in new[] { (cold, target), (capacity, double.NaN), (warm, target) })
            {
                Say(string.Create(culture,
                    $"{phase.Name,-32} {(double.IsNaN(offered) ? "max" : offered.ToString("N0", culture)),9} {phase.Load.RequestsPerSecond,9:N0} {phase.Load.RequestsPerSecond / baseline.RequestsPerSecond,8:P0} {phase.Load.Percentile(50),8:N1} {phase.Load.Percentile(99),8:N1} {phase.LagP50,8:N0}ms {phase.LagP99,8:N0}ms {phase.Load.Failed,7}"));
            }

            Say("");
            Say($"CPU per case after warm-up (ms of CPU; {Environment.ProcessorCount} cores = {1000.0 * Environment.ProcessorCount / Math.Max(1, warm.Load.RequestsPerSecond):N1} ms available per case at that rate):");
            Say("  " + string.Join(", ", warm.CpuPerCaseMs.Where(pair => pair.Value > 0.005)
                .Select(pair => string.Create(culture, $"{pair.Key} {pair.Value:N2}"))) +
                string.Create(culture, $"; total {warm.CpuPerCaseMs.Values.Sum():N2}"));

            // Every case of the phases above on the duty desk before the stack is measured idle: nothing lost, and how long
            // the backlog of an overload took to drain.
            var drained = await WaitAllOnTheDeskAsync(new LocalStack(data), TimeSpan.FromMinutes(15));
            Say("");
            Say(string.Create(culture, $"backlog drained: {drained.OnTheDesk:N0} of {drained.Registered:N0} cases registered so far on the duty desk, {drained.Waited.TotalSeconds:N0} s after the last phase"));

            var idle = await IdleAsync(data);
            Say("");
            Say("idle (30 s after the last case was handled): % of one core, resident memory");
            foreach (var role in StackProcesses.Roles.Where(role => idle.Rss[role] > 0))
            {
                Say(string.Create(culture, $"  {role,-14} {idle.CpuPercent[role],6:N2}%  {idle.Rss[role] / 1048576.0,6:N0} MB"));
            }

            var stop = await StopWithBacklogAsync(stack, token, data);
            stack = stop.Restarted;
            Say("");
            Say(string.Create(culture,
                $"Ctrl+C with a backlog: {stop.Unsent} events unsent and {stop.Cases} cases in flight when stopped; stopped in {stop.StopSeconds:N1} s; " +
                $"after the next start {stop.NotifiedAfterRestart} of {stop.Cases} cases reached the duty desk"));

            // Intake on its own (issue 10: registering with full validation and the outbox, beside the bare baseline): the
            // consumers are frozen (SIGSTOP), their queues fill, and they drain once thawed. Last, on the restarted stack: the
            // backlog it leaves is not waited for.
            // Over the 13 counties, as a province-wide surge comes: each county's case numbers have a counter of their own.
            var counties = await SpreadOverCountiesAsync();
            var consumers = Consumers.SelectMany(role => StackProcesses.PidsOf(role, data)).ToList();
            Signal(consumers, "STOP");
            Phase alone, spread;
            try
            {
                alone = await PhaseAsync("intake alone, one county (closed loop, 30 s)", () => Load(token).ClosedLoopAsync(TimeSpan.FromSeconds(30)), data, measureLag: false);
                spread = await PhaseAsync("intake alone, 13 counties (closed loop, 30 s)",
                    () => new LoadGenerator(Intake, counties.Token, Connections, counties.Bodies).ClosedLoopAsync(TimeSpan.FromSeconds(30)), data, measureLag: false);
            }
            finally
            {
                Signal(consumers, "CONT");
            }

            Say("");
            Say(string.Create(culture,
                $"intake alone, consumers frozen (validation, scope, point check, case number, audit, outbox), {Connections} connections, closed loop: " +
                $"{alone.Load.RequestsPerSecond:N0} req/s = {alone.Load.RequestsPerSecond / baseline.RequestsPerSecond:P0} of the baseline (target 60%), " +
                $"p50 {alone.Load.Percentile(50):N1} ms, p99 {alone.Load.Percentile(99):N1} ms (target under 50 ms), failed {alone.Load.Failed}"));
            Say("  CPU per case: " + string.Join(", ", alone.CpuPerCaseMs.Where(pair => pair.Value > 0.005)
                .Select(pair => string.Create(culture, $"{pair.Key} {pair.Value:N2}"))));
            Say(string.Create(culture,
                $"… the same over the 13 counties (a city administrator, one point each): {spread.Load.RequestsPerSecond:N0} req/s = " +
                $"{spread.Load.RequestsPerSecond / baseline.RequestsPerSecond:P0} of the baseline, p50 {spread.Load.Percentile(50):N1} ms, " +
                $"p99 {spread.Load.Percentile(99):N1} ms, failed {spread.Load.Failed}"));
            Say("  CPU per case: " + string.Join(", ", spread.CpuPerCaseMs.Where(pair => pair.Value > 0.005)
                .Select(pair => string.Create(culture, $"{pair.Key} {pair.Value:N2}"))));
        }
        finally
        {
            await stack.StopAsync();
            Directory.Delete(data, recursive: true);
        }

        Say(stack.DroppedTelemetryLine);
        var file = Path.Combine(root, "bench", "results", "pipeline-latest.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllLinesAsync(file, report);
    }

    /// <summary>
    /// Issue 10's benchmark on its own: registering cases with full validation and the outbox (consumers frozen, so only
    /// intake's path is measured), beside the bare baseline in the same run. <paramref name="rounds"/> closed-loop rounds of
    /// 30 s each for one county and for the 13 counties; with RELIEF_BENCH_HOLD=seconds the stack is then kept under load that
    /// long (for dotnet-trace or dotnet-counters on the services).
    /// </summary>
    public static async Task RunIntakeAsync(string root, int rounds)
    {
        var culture = CultureInfo.InvariantCulture;
        var report = new List<string>();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.Add(line);
        }

        Say(string.Create(culture, $"Intake benchmark — {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}"));
        var baseline = rounds < 0 ? new LoadResult(0, 0, 0, TimeSpan.FromSeconds(1), [], [], []) : await MeasureBaselineAsync();
        Say(string.Create(culture,
            $"bare baseline (validate + insert + publish → consume), {Connections} connections, closed loop: {baseline.RequestsPerSecond:N0} req/s, p50 {baseline.Percentile(50):N1} ms, p99 {baseline.Percentile(99):N1} ms"));
        var data = Directory.CreateTempSubdirectory("relief-bench-").FullName;
        var stack = await AppHostStack.StartAsync(root, data);
        try
        {
            var token = await SetUpAsync();
            var counties = await SpreadOverCountiesAsync();
            var consumers = Consumers.SelectMany(role => StackProcesses.PidsOf(role, data)).ToList();
            Signal(consumers, "STOP");
            try
            {
                // The first round warms the JIT and the pools; it is shown, not hidden.
                // rounds < 0: none (to profile the pipeline alone, see below).
                for (var round = 0; round <= rounds; round++)
                {
                    var one = await PhaseAsync("intake alone, one county (closed loop, 30 s)", () => Load(token).ClosedLoopAsync(TimeSpan.FromSeconds(30)), data, measureLag: false);
                    var spread = await PhaseAsync("intake alone, 13 counties (closed loop, 30 s)",
                        () => new LoadGenerator(Intake, counties.Token, Connections, counties.Bodies).ClosedLoopAsync(TimeSpan.FromSeconds(30)), data, measureLag: false);
                    foreach (var (label, phase) in new[] { ("one county", one), ("13 counties", spread) })
                    {
                        Say(string.Create(culture,
                            $"round {round}{(round == 0 ? " (warm-up)" : "")}, {label}: {phase.Load.RequestsPerSecond:N0} req/s = {phase.Load.RequestsPerSecond / baseline.RequestsPerSecond:P0} of the baseline (target 60%), " +
                            $"p50 {phase.Load.Percentile(50):N1} ms, p99 {phase.Load.Percentile(99):N1} ms (target under 50 ms), failed {phase.Load.Failed}; " +
                            $"outbox empty {phase.RelayCaughtUpSeconds:N1} s after the last answer; CPU per case: ") +
                            string.Join(", ", phase.CpuPerCaseMs.Where(pair => pair.Value > 0.005).Select(pair => string.Create(culture, $"{pair.Key} {pair.Value:N2}"))));
                    }
                }

                if (int.TryParse(Environment.GetEnvironmentVariable("RELIEF_BENCH_HOLD"), out var hold) && hold > 0)
                {
                    Console.WriteLine($"  … holding the load for {hold} s (intake pid {string.Join(",", StackProcesses.PidsOf("intake", data))})");
                    using var held = Load(token);
                    await held.ClosedLoopAsync(TimeSpan.FromSeconds(hold));
                }
            }
            finally
            {
                Signal(consumers, "CONT");
            }

            // RELIEF_BENCH_PIPELINE_HOLD=seconds[,cases/s]: the whole pipeline under load that long afterwards, to profile it.
            if (Environment.GetEnvironmentVariable("RELIEF_BENCH_PIPELINE_HOLD")?.Split(',') is [var seconds, .. var rest]
                && int.TryParse(seconds, out var pipelineHold))
            {
                var rate = rest is [var perSecond] ? double.Parse(perSecond, culture) : 300;
                await WaitQuiescentAsync(new LocalStack(data));
                Console.WriteLine($"  … the whole pipeline at {rate} cases/s for {pipelineHold} s");
                using var held = Load(token);
                var before = StackProcesses.Take(data);
                var result = await held.FixedRateAsync(rate, TimeSpan.FromSeconds(pipelineHold));
                var after = StackProcesses.Take(data);
                var lags = await LagsAsync(new LocalStack(data), result.CaseIds);
                Say(string.Create(culture,
                    $"whole pipeline at {rate} cases/s: {result.RequestsPerSecond:N0} cases/s, p50 {result.Percentile(50):N1} ms, p99 {result.Percentile(99):N1} ms, " +
                    $"lag p50 {LoadGenerator.Percentile(lags, 50):N0} ms, p99 {LoadGenerator.Percentile(lags, 99):N0} ms; CPU per case: ") +
                    string.Join(", ", StackProcesses.CpuBetween(before, after).Where(pair => pair.Value > 0.005)
                        .Select(pair => string.Create(culture, $"{pair.Key} {1000 * pair.Value / Math.Max(1, result.Created):N2}"))));
            }
        }
        finally
        {
            await stack.StopAsync();
            Directory.Delete(data, recursive: true);
        }

        Say(stack.DroppedTelemetryLine);
        var file = Path.Combine(root, "bench", "results", "intake-latest.txt");
        await File.WriteAllLinesAsync(file, report);
    }

    private static LoadGenerator Load(string? token, Uri? endpoint = null) => new(endpoint ?? Intake, token, Connections);

    private sealed record Phase(string Name, LoadResult Load, double LagP50, double LagP99, Dictionary<string, double> CpuPerCaseMs)
    {
        public double RelayCaughtUpSeconds { get; init; }
    }

    private static void Signal(IEnumerable<int> pids, string signal)
    {
        foreach (var pid in pids)
        {
            using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }

    private static async Task<Phase> PhaseAsync(string name, Func<Task<LoadResult>> run, string data, bool measureLag = true)
    {
        Console.WriteLine($"  … {name}");
        var before = StackProcesses.Take(data);
        var load = await run();
        // Intake alone: its work is not done until its outbox has published every case's event; the CPU counted and
        // the time it took the relay to catch up after the last answer include that.
        var drain = Stopwatch.StartNew();
        if (!measureLag)
        {
            await WaitQuiescentAsync(new LocalStack(data), ["intake"]);
        }

        drain.Stop();
        var after = StackProcesses.Take(data);
        // The lags of a phase whose consumers are frozen would only measure the freeze.
        var lags = measureLag ? await LagsAsync(new LocalStack(data), load.CaseIds) : [0.0];
        var cpu = StackProcesses.CpuBetween(before, after)
            .ToDictionary(pair => pair.Key, pair => 1000 * pair.Value / Math.Max(1, load.Created));
        return new Phase(name, load, LoadGenerator.Percentile(lags, 50), LoadGenerator.Percentile(lags, 99), cpu)
        {
            RelayCaughtUpSeconds = drain.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Each case's time from registration (intake) to its duty-desk notification, waiting until all are there.</summary>
    private static async Task<double[]> LagsAsync(LocalStack stack, IReadOnlyList<Guid> cases)
    {
        var ids = cases.ToArray();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        Dictionary<Guid, DateTime> notified;
        do
        {
            await using var notifications = new NpgsqlConnection(stack.DatabaseConnectionString("notification"));
            // Since issue 12 a case can be on more than one desk (an urgent case on its county office's too): the lag is
            // to the station's referral.
            notified = (await notifications.QueryAsync<(Guid CaseId, DateTime CreatedAt)>("""
                select case_id, min(created_at) from notifications
                where case_id = any(@ids) and kind = 'referral_requested'
                group by case_id
                """, new { ids }))
                .ToDictionary(row => row.CaseId, row => row.CreatedAt);
            if (notified.Count < ids.Length)
            {
                await Task.Delay(1000);
            }
        }
        while (notified.Count < ids.Length && DateTime.UtcNow < deadline);

        await using var intake = new NpgsqlConnection(stack.DatabaseConnectionString("intake"));
        var registered = (await intake.QueryAsync<(Guid Id, DateTime RegisteredAt)>(
            "select id, registered_at from cases where id = any(@ids)", new { ids })).ToDictionary(row => row.Id, row => row.RegisteredAt);
        // A case never notified counts as the longest lag there is: it is not hidden by the percentiles.
        return ids.Select(id => notified.TryGetValue(id, out var at) && registered.TryGetValue(id, out var from)
            ? (at - from).TotalMilliseconds
            : double.PositiveInfinity).ToArray();
    }

    private sealed record Drained(long Registered, long OnTheDesk, TimeSpan Waited);

    /// <summary>Waits until every case registered so far (each needs a referral) has its referral on a duty desk.</summary>
    private static async Task<Drained> WaitAllOnTheDeskAsync(LocalStack stack, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        long registered, onTheDesk;
        do
        {
            await using (var intake = new NpgsqlConnection(stack.DatabaseConnectionString("intake")))
            {
                registered = await intake.ExecuteScalarAsync<long>("select count(*) from cases");
            }

            await using (var notifications = new NpgsqlConnection(stack.DatabaseConnectionString("notification")))
            {
                onTheDesk = await notifications.ExecuteScalarAsync<long>(
                    "select count(distinct case_id) from notifications where kind = 'referral_requested'");
            }

            if (onTheDesk < registered)
            {
                await Task.Delay(1000);
            }
        }
        while (onTheDesk < registered && clock.Elapsed < timeout);

        return new Drained(registered, onTheDesk, clock.Elapsed);
    }

    private sealed record Idle(Dictionary<string, double> CpuPercent, Dictionary<string, long> Rss);

    private static async Task<Idle> IdleAsync(string data)
    {
        await WaitQuiescentAsync(new LocalStack(data));
        await Task.Delay(TimeSpan.FromSeconds(30)); // let timers and exporters settle before measuring
        var before = StackProcesses.Take(data);
        await Task.Delay(TimeSpan.FromSeconds(30)); // the measurement window
        var after = StackProcesses.Take(data);
        var seconds = (after.At - before.At).TotalSeconds;
        return new Idle(StackProcesses.CpuBetween(before, after).ToDictionary(pair => pair.Key, pair => 100 * pair.Value / seconds), after.RssBytes);
    }

    private static async Task WaitQuiescentAsync(LocalStack stack, string[]? services = null)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            long unsent = 0;
            foreach (var service in services ?? ["intake", "registry", "referral", "notification"])
            {
                unsent += (await OutboxOps.BacklogAsync(stack.DatabaseConnectionString(service), CancellationToken.None)).Unsent;
            }

            if (unsent == 0)
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    private sealed record StopResult(long Unsent, int Cases, double StopSeconds, int NotifiedAfterRestart, AppHostStack Restarted);

    /// <summary>
    /// Stops the stack (Ctrl+C) while events are still waiting in the outboxes, times the stop, then starts it again on the
    /// same data and counts how many of the cases in flight reach the duty desk.
    /// </summary>
    private static async Task<StopResult> StopWithBacklogAsync(AppHostStack stack, string token, string data)
    {
        using var load = Load(token);
        var burst = load.ClosedLoopAsync(TimeSpan.FromSeconds(15));
        await Task.Delay(TimeSpan.FromSeconds(14));
        var local = new LocalStack(data);
        long unsent = 0;
        foreach (var service in new[] { "intake", "registry", "referral", "notification" })
        {
            unsent += (await OutboxOps.BacklogAsync(local.DatabaseConnectionString(service), CancellationToken.None)).Unsent;
        }

        var cases = await burst;
        var stopped = await stack.StopAsync();
        var restarted = await AppHostStack.StartAsync(stack.Root, data);
        var lags = await LagsAsync(new LocalStack(data), cases.CaseIds);
        return new StopResult(unsent, cases.Created, stopped.TotalSeconds, lags.Count(double.IsFinite), restarted);
    }

    private static async Task<LoadResult> MeasureBaselineAsync()
    {
        var server = await BareBaselineServer.StartAsync(5190, desk: false);
        try
        {
            using var load = Load(null, new Uri("http://127.0.0.1:5190/cases"));
            Console.WriteLine("  … bare baseline: 15 s warm-up, 30 s measured");
            await load.ClosedLoopAsync(TimeSpan.FromSeconds(15));
            return await load.ClosedLoopAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await BareBaselineServer.StopAsync(server);
        }
    }

    /// <summary>A point embedded in each of Yuncheng's 13 counties, known to Intake, and a city administrator's token.</summary>
    private static async Task<(string Token, IReadOnlyList<byte[]> Bodies)> SpreadOverCountiesAsync()
    {
        using var authority = new HttpClient { BaseAddress = new Uri("http://localhost:5100") };
        var admin = await AppHostStack.TokenAsync(authority, "admin", AppHostStack.AdminPassword);
        using var registry = new HttpClient { BaseAddress = new Uri("http://localhost:5102") };
        registry.DefaultRequestHeaders.Authorization = new("Bearer", admin);
        var points = Relief.ServiceDefaults.YunchengCounties.Names.Keys.Select(county => ($"BENCH-{county}", county)).ToList();
        foreach (var (code, county) in points)
        {
            using var created = await registry.PostAsJsonAsync("/api/service-points", new
            {
                code, name = $"压测服务点 {county}", kind = "community_center", countyCode = county, address = "压测路 1 号",
                longitude = 111.0, latitude = 35.02, openingHours = new { alwaysOpen = true },
            });
            if (created.IsSuccessStatusCode)
            {
                using var embedded = await registry.PostAsJsonAsync($"/api/service-points/{code}/status", new
                {
                    status = "embedded", version = 1, signInstalledOn = "2026-06-01", staffTrainedCount = 2, staffTrainedOn = "2026-06-15",
                });
                embedded.EnsureSuccessStatusCode();
            }
        }

        var bodies = LoadGenerator.CasesAt(points);
        using var intake = new HttpClient();
        intake.DefaultRequestHeaders.Authorization = new("Bearer", admin);
        foreach (var body in bodies)
        {
            await Poll.UntilAsync(async () =>
            {
                using var probe = await intake.PostAsync(Intake, new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } });
                return probe.IsSuccessStatusCode;
            }, "Intake knows the bench's point in each county", TimeSpan.FromMinutes(1));
        }

        return (admin, bodies);
    }

    /// <summary>The bench's point (created, embedded, known to Intake) and a point staff user's token there.</summary>
    internal static async Task<string> SetUpAsync()
    {
        var token = await AppHostStack.OfficeUserAsync("YH-CC-001", "盐湖区某社区党群服务中心", "service_point", "140802", "bench.staff", "point_staff");
        using var authority = new HttpClient { BaseAddress = new Uri("http://localhost:5100") };
        var admin = await AppHostStack.TokenAsync(authority, "admin", AppHostStack.AdminPassword);

        // Intake refuses cases at a point it does not know: the bench's point is created and embedded at Registry, and
        // a probe case (at the bench point) is tried until Intake has learnt of it.
        using var registry = new HttpClient { BaseAddress = new Uri("http://localhost:5102") };
        registry.DefaultRequestHeaders.Authorization = new("Bearer", admin);
        using (var created = await registry.PostAsJsonAsync("/api/service-points", new
        {
            code = "YH-CC-001", name = "盐湖区某社区党群服务中心", kind = "community_center", countyCode = "140802", address = "盐湖区 1 号",
            longitude = 111.0, latitude = 35.02, openingHours = new { alwaysOpen = true },
        }))
        {
            if (created.IsSuccessStatusCode)
            {
                using var embedded = await registry.PostAsJsonAsync("/api/service-points/YH-CC-001/status", new
                {
                    status = "embedded", version = 1, signInstalledOn = "2026-06-01", staffTrainedCount = 2, staffTrainedOn = "2026-06-15",
                });
                embedded.EnsureSuccessStatusCode();
            }
        }

        using var intake = new HttpClient();
        intake.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await Poll.UntilAsync(async () =>
        {
            using var probe = await intake.PostAsync(Intake, new StringContent(LoadGenerator.CaseBody, System.Text.Encoding.UTF8, "application/json"));
            return probe.IsSuccessStatusCode;
        }, "Intake knows the bench's service point", TimeSpan.FromMinutes(1));
        return token;
    }
}
