using System.Diagnostics;
using System.Globalization;
using Dapper;
using Npgsql;

namespace Relief.Benchmarks;

/// <summary>
/// The statistics page over a read model of a year's cases (issue 14: 1,000,000, target p99 under 200 ms): each part of
/// the summary timed for a county officer's scope and the city's, over a month and over the year, beside two baselines
/// measured in the same run on the same rows — the same queries without the read model's secondary indexes, and a plain
/// <c>count(*)</c> of the scope's cases.
/// </summary>
internal static class StatisticsBenchmark
{
    private sealed record Scenario(string Name, Func<Random, StatisticsFilter> Filter);

    private static readonly Scenario[] Scenarios =
    [
        new("county officer, a month", r => Month(r, ReadModelLoader.Counties[r.Next(ReadModelLoader.Counties.Length)])),
        new("city, a month", r => Month(r, null)),
        new("county officer, the year", r => Year(ReadModelLoader.Counties[r.Next(ReadModelLoader.Counties.Length)])),
        new("city, the year", _ => Year(null)),
    ];

    private static StatisticsFilter Month(Random random, string? county)
    {
        var month = ReadModelLoader.FirstMonth.AddMonths(random.Next(ReadModelLoader.Months));
        return new StatisticsFilter(month, month.AddMonths(1).AddDays(-1), county, null);
    }

    private static StatisticsFilter Year(string? county) =>
        new(ReadModelLoader.FirstMonth, ReadModelLoader.FirstMonth.AddMonths(ReadModelLoader.Months).AddDays(-1), county, null);

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
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var schema = await CreateSchemaAsync(connection, root);
            var loader = new ReadModelLoader(connection, connectionString, cases);
            var clock = Stopwatch.StartNew();
            await loader.LoadAsync();
            var size = await connection.ExecuteScalarAsync<string>(
                "select pg_size_pretty(sum(pg_total_relation_size(c.oid))) from pg_class c where relname like 'report\\_%' and relkind = 'r'");
            Say(string.Create(CultureInfo.InvariantCulture,
                $"Statistics benchmark — {Environment.ProcessorCount} cores (shared), {DateTime.UtcNow:u}; schema: {schema}"));
            Say(string.Create(CultureInfo.InvariantCulture,
                $"read model: {cases:N0} cases, {loader.Referrals:N0} referrals, {loader.ReliefActions:N0} relief actions, {loader.Points.Count:N0} embedded points; {size} with indexes; loaded (COPY, indexes, analyze) in {clock.Elapsed.TotalSeconds:N0} s"));
            Say(string.Create(CultureInfo.InvariantCulture,
                $"each part timed {iterations} times per scope (random county and month each time); baseline without indexes {Math.Max(10, iterations / 5)} times"));

            var indexed = new Dictionary<(string Scenario, string Part), List<double>>();
            var counted = new Dictionary<string, List<double>>();
            foreach (var scenario in Scenarios)
            {
                await MeasureAsync(connection, scenario, iterations, indexed);
                counted[scenario.Name] = await TimeAsync(scenario, iterations, f => connection.ExecuteScalarAsync<long>(
                    "select count(*) from report_cases where registered_at >= @start and registered_at < @end and (@county::text is null or county_code = @county)", f.Parameters));
            }

            await loader.DropIndexesAsync();
            await connection.ExecuteAsync("analyze report_cases, report_referrals, report_relief");
            var bare = new Dictionary<(string Scenario, string Part), List<double>>();
            foreach (var scenario in Scenarios)
            {
                await MeasureAsync(connection, scenario, Math.Max(10, iterations / 5), bare);
            }

            foreach (var scenario in Scenarios)
            {
                Say("");
                Say($"{scenario.Name + ":",-44} {"p50 ms",8} {"p99 ms",8}   {"no indexes: p50",15} {"p99",8}");
                foreach (var part in StatisticsQueries.Parts.Select(p => p.Part).Append(WholePage))
                {
                    var (p50, p99) = Percentiles(indexed[(scenario.Name, part)]);
                    var (b50, b99) = Percentiles(bare[(scenario.Name, part)]);
                    Say(string.Create(CultureInfo.InvariantCulture, $"  {part,-42} {p50,8:N1} {p99,8:N1}   {b50,15:N1} {b99,8:N1}{(part != WholePage && p99 >= 200 ? "  over 200 ms" : "")}"));
                }

                var (c50, c99) = Percentiles(counted[scenario.Name]);
                Say(string.Create(CultureInfo.InvariantCulture, $"  {"baseline: count(*) of the scope's cases",-42} {c50,8:N1} {c99,8:N1}"));
            }
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

    private const string WholePage = "whole summary (all parts, one after another)";

    /// <summary>
    /// Reporting's own migrations when the branch has them (the read model as the service creates it, its indexes
    /// included); otherwise the agreed schema in <see cref="StatisticsQueries.Schema"/>.
    /// </summary>
    private static async Task<string> CreateSchemaAsync(NpgsqlConnection connection, string root)
    {
        var migrations = Path.Combine(root, "Services", "Reporting", "Reporting.Api", "Migrations");
        if (!Directory.Exists(migrations))
        {
            await connection.ExecuteAsync(StatisticsQueries.Schema);
            return "the agreed read model (bench's copy: Reporting's migrations are not on this branch)";
        }

        var files = Directory.GetFiles(migrations, "*.sql").Order(StringComparer.Ordinal).ToList();
        foreach (var file in files)
        {
            await connection.ExecuteAsync(await File.ReadAllTextAsync(file));
        }

        return $"Reporting's migrations ({string.Join(", ", files.Select(Path.GetFileNameWithoutExtension))})";
    }

    private static async Task MeasureAsync(NpgsqlConnection connection, Scenario scenario, int iterations,
        Dictionary<(string, string), List<double>> timings)
    {
        var random = new Random(scenario.Name.Length);
        var parts = StatisticsQueries.Parts;
        foreach (var (part, _) in parts)
        {
            timings[(scenario.Name, part)] = [];
        }

        timings[(scenario.Name, WholePage)] = [];
        // A few rounds first, so the first plans and cold pages are not counted.
        for (var i = -3; i < iterations; i++)
        {
            var filter = scenario.Filter(random);
            var total = 0.0;
            foreach (var (part, run) in parts)
            {
                var clock = Stopwatch.StartNew();
                await run(connection, filter);
                var ms = clock.Elapsed.TotalMilliseconds;
                total += ms;
                if (i >= 0)
                {
                    timings[(scenario.Name, part)].Add(ms);
                }
            }

            if (i >= 0)
            {
                timings[(scenario.Name, WholePage)].Add(total);
            }
        }
    }

    private static async Task<List<double>> TimeAsync<T>(Scenario scenario, int iterations, Func<StatisticsFilter, Task<T>> query)
    {
        var random = new Random(scenario.Name.Length);
        var timings = new List<double>(iterations);
        for (var i = -3; i < iterations; i++)
        {
            var filter = scenario.Filter(random);
            var clock = Stopwatch.StartNew();
            await query(filter);
            if (i >= 0)
            {
                timings.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return timings;
    }

    private static (double P50, double P99) Percentiles(List<double> timings)
    {
        var sorted = timings.Order().ToList();
        return (sorted[sorted.Count / 2], sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.99) - 1)]);
    }
}
