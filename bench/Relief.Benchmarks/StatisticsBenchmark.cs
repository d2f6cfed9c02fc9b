using System.Diagnostics;
using System.Globalization;
using Dapper;
using Npgsql;
using Relief.Reporting.Statistics;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Benchmarks;

/// <summary>
/// The statistics page over Reporting's read model holding a year of cases (issue 14: 1,000,000, target p99 under
/// 200 ms), through the Reporting service's own query code: its summary (one round trip, as the page asks) and each of
/// that summary's statements on its own, and the cases behind a number — for a county officer and for the city, over a
/// month and over the year. Beside three baselines measured in the same run on the same rows: the same queries without
/// the read model's secondary indexes, the summary as it was before the roll-ups (<see cref="RowSummaryBaseline"/>),
/// and a plain <c>count(*)</c> of the scope's cases.
/// </summary>
internal static class StatisticsBenchmark
{
    private sealed record Scenario(string Name, Func<Random, (StatisticsFilter Filter, ReliefUser User)> Pick);

    private static readonly ReliefUser City = new("bench", ReliefRoles.CityAdministrator, "CITY-BUREAU", ReliefUser.CityCounty, OfficeKinds.CityBureau);

    private static ReliefUser CountyOfficer(Random random)
    {
        var county = ReadModelLoader.Counties[random.Next(ReadModelLoader.Counties.Length)];
        return new ReliefUser("bench", ReliefRoles.CountyOfficer, $"CO-{county}", county, OfficeKinds.CountyOffice);
    }

    // The page's filters left empty: the scope alone narrows to the officer's county, as when an officer opens the page.
    private static readonly Scenario[] Scenarios =
    [
        new("county officer, a month", r => (Month(r), CountyOfficer(r))),
        new("city, a month", r => (Month(r), City)),
        new("county officer, the year", r => (Year, CountyOfficer(r))),
        new("city, the year", _ => (Year, City)),
    ];

    private static StatisticsFilter Month(Random random)
    {
        var month = ReadModelLoader.FirstMonth.AddMonths(random.Next(ReadModelLoader.Months));
        return new StatisticsFilter(month, month.AddMonths(1).AddDays(-1), null, null, null);
    }

    private static StatisticsFilter Year =>
        new(ReadModelLoader.FirstMonth, ReadModelLoader.FirstMonth.AddMonths(ReadModelLoader.Months).AddDays(-1), null, null, null);

    /// <summary>How long one scope's rounds may take before it stops short of the rounds asked for.</summary>
    private static readonly TimeSpan ScenarioBudget = TimeSpan.FromSeconds(90);

    private const string WholeSummary = "whole summary (SummaryQuery, one round trip)";

    public static async Task RunAsync(string root, int iterations, int cases)
    {
        var postgres = Environment.GetEnvironmentVariable("RELIEF_TEST_POSTGRES") ?? throw new InvalidOperationException("Run bench/run.sh.");
        var name = $"bench_reporting_{Guid.NewGuid():N}"[..28];
        DefaultTypeMap.MatchNamesWithUnderscores = true; // as the services read their rows (AddReliefDatabase)
        await using (var server = new NpgsqlConnection(postgres))
        {
            await server.ExecuteAsync($"create database {name}");
        }

        var report = new List<string>();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.Add(line);
        }

        try
        {
            var connectionString = $"{postgres};Database={name};Command Timeout=300";
            await using var db = NpgsqlDataSource.Create(connectionString);
            await using var connection = await db.OpenConnectionAsync();
            var migrations = await MigrateAsync(connection, root);
            var loader = new ReadModelLoader(connection, connectionString, cases);
            var clock = Stopwatch.StartNew();
            await loader.LoadAsync();
            var size = await connection.ExecuteScalarAsync<string>(
                "select pg_size_pretty(sum(pg_total_relation_size(c.oid))) from pg_class c where relname like 'report\\_%' and relkind = 'r'");
            var parts = Parts();
            var baselineIterations = Math.Max(10, iterations / 5);
            Say(string.Create(CultureInfo.InvariantCulture,
                $"Statistics benchmark — {Environment.ProcessorCount} cores (shared with other work), {DateTime.UtcNow:u}, load average {LoadAverage()}; Reporting's migrations {migrations}, its SummaryQuery and CasesQuery"));
            Say(string.Create(CultureInfo.InvariantCulture,
                $"read model: {cases:N0} cases, {loader.Referrals:N0} referrals, {loader.ReliefActions:N0} relief actions, {loader.Points.Count:N0} embedded points; {size} with indexes; loaded (COPY, indexes, analyze) in {clock.Elapsed.TotalSeconds:N0} s"));
            Say(string.Create(CultureInfo.InvariantCulture,
                $"each query timed {iterations} times per scope (a random county and month each time; fewer if a scope's rounds pass {ScenarioBudget.TotalSeconds:N0} s: p99 of fewer than 100 rounds is their slowest), without indexes {baselineIterations} times"));

            var indexed = new Dictionary<(string Scenario, string Part), List<double>>();
            var counted = new Dictionary<string, List<double>>();
            var before = new Dictionary<string, List<double>>();
            foreach (var scenario in Scenarios)
            {
                await MeasureAsync(db, parts, scenario, iterations, indexed);
                before[scenario.Name] = await TimeAsync(scenario, Math.Max(10, iterations / 5), (f, u) => connection.ExecuteAsync(
                    new CommandDefinition(RowSummaryBaseline.Sql, f.Parameters(u))), ScenarioBudget);
                counted[scenario.Name] = await TimeAsync(scenario, iterations, (f, u) => connection.ExecuteScalarAsync<long>(
                    "select count(*) from report_cases where registered_at >= @From and registered_at < @To and (@County::text is null or county_code = @County)",
                    new { From = f.FromInstant, To = f.ToInstant, County = u.Role == ReliefRoles.CityAdministrator ? null : u.County }));
            }

            await loader.DropIndexesAsync();
            await connection.ExecuteAsync("analyze report_cases, report_referrals, report_relief, report_points");
            var bare = new Dictionary<(string Scenario, string Part), List<double>>();
            foreach (var scenario in Scenarios)
            {
                await MeasureAsync(db, parts, scenario, baselineIterations, bare);
            }

            foreach (var scenario in Scenarios)
            {
                Say("");
                var rounds = indexed[(scenario.Name, WholeSummary)].Count;
                var bareRounds = bare[(scenario.Name, WholeSummary)].Count;
                Say($"{$"{scenario.Name} ({rounds} rounds; {bareRounds} without indexes):",-48} {"p50 ms",8} {"p99 ms",8}   {"no indexes: p50",15} {"p99",8}");
                foreach (var (part, _) in parts)
                {
                    var (p50, p99) = Percentiles(indexed[(scenario.Name, part)]);
                    var (b50, b99) = Percentiles(bare[(scenario.Name, part)]);
                    Say(string.Create(CultureInfo.InvariantCulture,
                        $"  {part,-46} {p50,8:N1} {p99,8:N1}   {b50,15:N1} {b99,8:N1}{(p99 >= 200 ? "  over 200 ms" : "")}"));
                }

                var (o50, o99) = Percentiles(before[scenario.Name]);
                Say(string.Create(CultureInfo.InvariantCulture,
                    $"  {$"baseline: the summary before its roll-ups ({before[scenario.Name].Count} rounds)",-46} {o50,8:N1} {o99,8:N1}"));
                var (c50, c99) = Percentiles(counted[scenario.Name]);
                Say(string.Create(CultureInfo.InvariantCulture, $"  {"baseline: count(*) of the scope's cases",-46} {c50,8:N1} {c99,8:N1}"));
            }

            Say("");
            Say(string.Create(CultureInfo.InvariantCulture, $"finished {DateTime.UtcNow:u}, load average {LoadAverage()}"));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var server = new NpgsqlConnection(postgres);
            await server.ExecuteAsync($"drop database if exists {name} with (force)");
        }

        var file = Path.Combine(root, "bench", "results", "statistics-latest.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllLinesAsync(file, report);
    }

    /// <summary>Reporting's migrations, in order, as DbUp runs them at the service's start: the read model as the service has it.</summary>
    private static async Task<string> MigrateAsync(NpgsqlConnection connection, string root)
    {
        var files = Directory.GetFiles(Path.Combine(root, "Services", "Reporting", "Reporting.Api", "Migrations"), "*.sql")
            .Order(StringComparer.Ordinal).ToList();
        foreach (var file in files)
        {
            await connection.ExecuteAsync(await File.ReadAllTextAsync(file));
        }

        return string.Join(", ", files.Select(Path.GetFileNameWithoutExtension));
    }

    /// <summary>What the summary's statements count, in the order SummaryQuery runs them.</summary>
    private static readonly string[] StatementNames =
    [
        "totals: cases", "totals: referrals, hand-off p50/p90", "totals: relief actions", "by month", "by county", "by point",
        "by point kind", "by channel", "by situation", "by identity", "by outcome", "rejections by reason",
        "by station (with its p50)", "vouchers by province", "escorts, lodging, food, fares", "coverage",
    ];

    /// <summary>
    /// The queries timed: the service's whole summary and cases page through their public entry points, and each
    /// statement of the summary's batch alone — SummaryQuery's own (a copy here would time a query the page no longer
    /// runs), with the service's own parameters and scope.
    /// </summary>
    private static List<(string Part, Func<NpgsqlDataSource, StatisticsFilter, ReliefUser, Task> Run)> Parts()
    {
        var count = SummaryQuery.StatementsFor(Year, City).Count;
        var parts = new List<(string, Func<NpgsqlDataSource, StatisticsFilter, ReliefUser, Task>)>
        {
            (WholeSummary, (db, f, u) => SummaryQuery.RunAsync(db, f, u, CancellationToken.None)),
        };
        foreach (var i in Enumerable.Range(0, count))
        {
            var label = count == StatementNames.Length ? StatementNames[i] : $"statement {i + 1}";
            parts.Add(("  " + label, async (db, f, u) =>
            {
                // The statement as the summary runs it for this filter and reader (roll-ups and own-county scope, or the join).
                await using var connection = await db.OpenConnectionAsync();
                await connection.QueryAsync(SummaryQuery.StatementsFor(f, u)[i], f.Parameters(u));
            }));
        }

        parts.Add(("cases behind a number (situation), first page",
            (db, f, u) => CasesQuery.RunAsync(db, f, u, "situation", "ill_or_injured", null, null, CancellationToken.None)));
        parts.Add(("cases behind a number (outcome), first page",
            (db, f, u) => CasesQuery.RunAsync(db, f, u, "outcome", "returned_home", null, null, CancellationToken.None)));
        return parts;
    }

    private static async Task MeasureAsync(NpgsqlDataSource db, List<(string Part, Func<NpgsqlDataSource, StatisticsFilter, ReliefUser, Task> Run)> parts,
        Scenario scenario, int iterations, Dictionary<(string, string), List<double>> timings)
    {
        var random = new Random(scenario.Name.Length);
        foreach (var (part, _) in parts)
        {
            timings[(scenario.Name, part)] = [];
        }

        // A few rounds first, so that first plans and cold pages are not counted; then the rounds asked for, or as many as
        // fit the time budget (at least 10): a year of the city's cases takes seconds a round on a busy machine.
        var budget = Stopwatch.StartNew();
        for (var i = -3; i < iterations && (i < 10 || budget.Elapsed < ScenarioBudget); i++)
        {
            if (i == 0)
            {
                budget.Restart();
            }

            var (filter, user) = scenario.Pick(random);
            foreach (var (part, run) in parts)
            {
                var clock = Stopwatch.StartNew();
                await run(db, filter, user);
                if (i >= 0)
                {
                    timings[(scenario.Name, part)].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }
    }

    private static async Task<List<double>> TimeAsync<T>(Scenario scenario, int iterations, Func<StatisticsFilter, ReliefUser, Task<T>> query,
        TimeSpan? budget = null)
    {
        var random = new Random(scenario.Name.Length);
        var timings = new List<double>(iterations);
        var started = Stopwatch.StartNew();
        for (var i = -3; i < iterations && (i < 10 || budget is null || started.Elapsed < budget); i++)
        {
            var (filter, user) = scenario.Pick(random);
            var clock = Stopwatch.StartNew();
            await query(filter, user);
            if (i >= 0)
            {
                timings.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return timings;
    }

    /// <summary>The machine's 1, 5 and 15 minute load averages (Linux), to read the run's figures by.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static (double P50, double P99) Percentiles(List<double> timings)
    {
        var sorted = timings.Order().ToList();
        return (sorted[sorted.Count / 2], sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.99) - 1)]);
    }
}
