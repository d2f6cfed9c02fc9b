using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Npgsql;
using Relief.Registry.ServicePoints;

namespace Relief.Benchmarks;

/// <summary>
/// The register's searches over a network of 10,000 points (issue 9): the nearest open point through the position
/// index, beside the same search by a scan of every point, and the coverage report beside a bare count — each measured
/// in the same run, on the same database.
/// </summary>
internal static class ServicePointBenchmark
{
    private const int Points = 10_000;
    private const int Queries = 2_000;

    public static async Task RunAsync(string root)
    {
        var postgres = Environment.GetEnvironmentVariable("RELIEF_TEST_POSTGRES") ?? throw new InvalidOperationException("Run bench/run.sh.");
        var name = $"bench_points_{Guid.NewGuid():N}"[..24];
        DefaultTypeMap.MatchNamesWithUnderscores = true; // as the services read their rows (AddReliefDatabase)
        await using (var server = new NpgsqlConnection(postgres))
        {
            await server.ExecuteAsync($"create database {name}");
        }

        await using var connection = new NpgsqlConnection($"{postgres};Database={name}");
        await connection.OpenAsync();
        await connection.ExecuteAsync(await File.ReadAllTextAsync(Path.Combine(root, "Services/Registry/Registry.Api/Migrations/0002_create_service_points.sql")));
        var random = new Random(9);
        await FillAsync(connection, random);
        Console.WriteLine($"Service points benchmark — {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}: {Points:N0} points, {Queries:N0} searches each");

        var searches = Enumerable.Range(0, Queries).Select(_ => (
            Lon: PointRules.MinLongitude + random.NextDouble() * (PointRules.MaxLongitude - PointRules.MinLongitude),
            Lat: PointRules.MinLatitude + random.NextDouble() * (PointRules.MaxLatitude - PointRules.MinLatitude),
            At: new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.FromHours(8)).AddMinutes(random.Next(0, 7 * 24 * 60)),
            Service: random.Next(3) == 0 ? null : PointServices.All[random.Next(PointServices.All.Count)])).ToList();

        var indexed = await MeasureAsync(searches, s => ServicePointQueries.NearestOpenAsync(connection, s.Lon, s.Lat, s.At, s.Service, 5, CancellationToken.None));
        var scanned = await MeasureAsync(searches, s => ScanAsync(connection, s.Lon, s.Lat, s.At, s.Service));
        var coverage = await MeasureAsync(searches.Take(300).ToList(), _ => ServicePointQueries.CoverageAsync(connection, null, DateTime.UtcNow.Date.AddDays(-365), CancellationToken.None));
        var count = await MeasureAsync(searches.Take(300).ToList(), _ => connection.ExecuteScalarAsync<long>("select count(*) from service_points"));

        Console.WriteLine();
        Console.WriteLine("search                                             p50 ms   p99 ms");
        Print("nearest open point, position index (the API's)", indexed);
        Print("baseline: the same search, scanning every point", scanned);
        Print("coverage report (whole city)", coverage);
        Print("baseline: select count(*) over the points", count);

        await connection.CloseAsync();
        NpgsqlConnection.ClearAllPools();
        await using (var server = new NpgsqlConnection(postgres))
        {
            await server.ExecuteAsync($"drop database {name} with (force)");
        }
    }

    private static void Print(string what, (double P50, double P99) figures) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-48} {figures.P50,8:N2} {figures.P99,8:N2}"));

    private static async Task<(double P50, double P99)> MeasureAsync<TSearch, TResult>(List<TSearch> searches, Func<TSearch, Task<TResult>> search)
    {
        foreach (var warmUp in searches.Take(100))
        {
            await search(warmUp);
        }

        var timings = new List<double>(searches.Count);
        foreach (var item in searches)
        {
            var clock = Stopwatch.StartNew();
            await search(item);
            timings.Add(clock.Elapsed.TotalMilliseconds);
        }

        timings.Sort();
        return (timings[timings.Count / 2], timings[(int)(timings.Count * 0.99)]);
    }

    /// <summary>The baseline: every embedded point's distance computed and sorted, then the same opening-hours filter.</summary>
    private static async Task<List<string>> ScanAsync(NpgsqlConnection connection, double lon, double lat, DateTimeOffset at, string? service)
    {
        var rows = await connection.QueryAsync<(string Code, string Hours)>("""
            select code, opening_hours::text from service_points
            where status = 'embedded' and (@service is null or @service = any(services))
            order by earth_distance(ll_to_earth(latitude, longitude), ll_to_earth(@lat, @lon))
            """, new { lat, lon, service });
        return [.. rows.Where(r => OpeningHours.TryParse(JsonDocument.Parse(r.Hours).RootElement, out var h, out _) && h!.IsOpenAt(at)).Take(5).Select(r => r.Code)];
    }

    private static async Task FillAsync(NpgsqlConnection connection, Random random)
    {
        string[] hours =
        [
            """{"alwaysOpen":true}""",
            """{"weekly":{"mon":["08:00-18:00"],"tue":["08:00-18:00"],"wed":["08:00-18:00"],"thu":["08:00-18:00"],"fri":["08:00-18:00"]}}""",
            """{"weekly":{"sun":["07:00-21:00"],"mon":["07:00-21:00"],"tue":["07:00-21:00"],"wed":["07:00-21:00"],"thu":["07:00-21:00"],"fri":["07:00-21:00"],"sat":["07:00-21:00"]}}""",
        ];
        string[][] services = [["water", "rest"], ["water", "rest", "charging", "shelter"], ["water", "food", "travel_voucher"]];
        string[] statuses = ["embedded", "embedded", "embedded", "embedded", "planned", "suspended"];
        await using (var import = await connection.BeginBinaryImportAsync(
            "copy service_points (code, name, kind, county_code, address, longitude, latitude, opening_hours, services, status, staff_trained_on, created_at, updated_at) from stdin (format binary)"))
        {
            for (var i = 0; i < Points; i++)
            {
                await import.StartRowAsync();
                await import.WriteAsync($"B-{i:D6}");
                await import.WriteAsync("基准点");
                await import.WriteAsync("love_station");
                await import.WriteAsync("140802");
                await import.WriteAsync("基准");
                await import.WriteAsync(PointRules.MinLongitude + random.NextDouble() * (PointRules.MaxLongitude - PointRules.MinLongitude));
                await import.WriteAsync(PointRules.MinLatitude + random.NextDouble() * (PointRules.MaxLatitude - PointRules.MinLatitude));
                await import.WriteAsync(hours[random.Next(hours.Length)], NpgsqlTypes.NpgsqlDbType.Jsonb);
                await import.WriteAsync(services[random.Next(services.Length)]);
                await import.WriteAsync(statuses[random.Next(statuses.Length)]);
                await import.WriteAsync(DateTime.UtcNow.Date.AddDays(-random.Next(0, 800)), NpgsqlTypes.NpgsqlDbType.Date);
                await import.WriteAsync(DateTime.UtcNow, NpgsqlTypes.NpgsqlDbType.TimestampTz);
                await import.WriteAsync(DateTime.UtcNow, NpgsqlTypes.NpgsqlDbType.TimestampTz);
            }

            await import.CompleteAsync();
        }

        await connection.ExecuteAsync("analyze service_points");
    }
}
