using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;
using Relief.IntegrationTests.Infrastructure;
using Relief.Registry.Contracts;
using Relief.Registry.ServicePoints;
using Relief.Testing;

namespace Relief.IntegrationTests.Registry;

/// <summary>The register of service points in Registry, against real PostgreSQL (cube + earthdistance) and RabbitMQ.</summary>
public sealed class ServicePointTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private static readonly JsonElement AlwaysOpen = JsonDocument.Parse("""{"alwaysOpen":true}""").RootElement;
    private static readonly JsonElement OfficeHours = JsonDocument.Parse(
        """{"weekly":{"mon":["08:00-12:00","14:00-18:00"],"tue":["08:00-18:00"]},"exceptions":[{"date":"2026-10-05","hours":[]}]}""").RootElement;

    private static string NewCode() => $"SP-{Guid.NewGuid():N}"[..16].ToUpperInvariant();

    private static object APoint(string code, string county = "140802", double lon = 111.0, double lat = 35.02, JsonElement? hours = null) => new
    {
        code, name = "北城街道党群服务中心", kind = "community_center", countyCode = county, address = "盐湖区北城街道 1 号",
        longitude = lon, latitude = lat, openingHours = hours ?? AlwaysOpen, phone = "0359-1234567", services = new[] { "water", "rest" },
    };

    private async Task<HttpClient> CountyOfficerAsync(string county = "140802") => await fixture.Service.ClientForAsync(TestUsers.CountyOfficer(county));

    [Fact]
    public async Task A_point_goes_from_planned_to_embedded_to_suspended_and_back_with_its_history_and_an_event_each_time()
    {
        var client = await CountyOfficerAsync();
        var code = NewCode();
        using (var created = await client.PostAsJsonAsync("/api/service-points", APoint(code)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await fixture.Probe.WaitForAsync<ServicePointChanged>(e => e.Code == code && e.Status == "planned" && e.Version == 1);

        // Embedding needs the sign's date and the training.
        using (var bare = await client.PostAsJsonAsync($"/api/service-points/{code}/status", new { status = "embedded", version = 1 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
            Assert.True((await bare.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("signInstalledOn", out _));
        }

        var version = await MoveAsync(client, code, new { status = "embedded", version = 1, signInstalledOn = "2026-11-01", staffTrainedCount = 3, staffTrainedOn = "2026-11-02" });
        version = await MoveAsync(client, code, new { status = "suspended", version, note = "装修" });
        version = await MoveAsync(client, code, new { status = "embedded", version });
        await fixture.Probe.WaitForAsync<ServicePointChanged>(e => e.Code == code && e.Status == "embedded" && e.Version == version);

        using (var backToPlanned = await client.PostAsJsonAsync($"/api/service-points/{code}/status", new { status = "planned", version }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, backToPlanned.StatusCode);
            Assert.True((await backToPlanned.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("status", out _));
        }

        version = await MoveAsync(client, code, new { status = "closed", version, note = "撤点" });
        using (var reopen = await client.PostAsJsonAsync($"/api/service-points/{code}/status", new { status = "embedded", version }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, reopen.StatusCode);
        }

        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/service-points/{code}");
        Assert.Equal(["planned", "embedded", "suspended", "embedded", "closed"],
            detail.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()!).ToArray());
        Assert.Equal("2026-11-01", detail.GetProperty("point").GetProperty("signInstalledOn").GetString());
        Assert.Equal(3, detail.GetProperty("point").GetProperty("staffTrainedCount").GetInt32());
    }

    [Theory]
    [InlineData("countyCode", "140899", 111.0, 35.0, """{"alwaysOpen":true}""")]
    [InlineData("longitude", "140802", 116.4, 35.0, """{"alwaysOpen":true}""")]
    [InlineData("latitude", "140802", 111.0, 39.9, """{"alwaysOpen":true}""")]
    [InlineData("openingHours", "140802", 111.0, 35.0, """{"weekly":{"mon":["18:00-08:00"]}}""")]
    [InlineData("openingHours", "140802", 111.0, 35.0, """{"weekly":{"monday":["08:00-18:00"]}}""")]
    public async Task A_bad_point_is_a_400_naming_the_field_and_nothing_is_saved(string field, string county, double lon, double lat, string hours)
    {
        var client = await CountyOfficerAsync();
        var code = NewCode();
        using var response = await client.PostAsJsonAsync("/api/service-points",
            APoint(code, county, lon, lat, JsonDocument.Parse(hours).RootElement));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), field);
        using var missing = await client.GetAsync($"/api/service-points/{code}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Of_two_updates_on_the_same_version_one_wins_and_the_other_is_a_409()
    {
        var client = await CountyOfficerAsync();
        var code = NewCode();
        (await client.PostAsJsonAsync("/api/service-points", APoint(code))).EnsureSuccessStatusCode();

        object Update(string name) => new
        {
            name, kind = "love_station", countyCode = "140802", address = "解放路", longitude = 111.0, latitude = 35.02,
            openingHours = AlwaysOpen, services = new[] { "water", "charging" }, version = 1,
        };
        var both = await Task.WhenAll(
            client.PutAsJsonAsync($"/api/service-points/{code}", Update("甲")),
            client.PutAsJsonAsync($"/api/service-points/{code}", Update("乙")));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], both.Select(r => r.StatusCode).Order().ToArray());
        var winner = both.Single(r => r.StatusCode == HttpStatusCode.OK);
        var point = await winner.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, point.GetProperty("version").GetInt32());
        var stored = (await client.GetFromJsonAsync<JsonElement>($"/api/service-points/{code}")).GetProperty("point");
        Assert.Equal(point.GetProperty("name").GetString(), stored.GetProperty("name").GetString());
        Assert.Equal(2, stored.GetProperty("version").GetInt32());

        // The refused update wrote nothing: its event was rolled back with it (created + the winner's change only).
        await fixture.Probe.WaitForAsync<ServicePointChanged>(e => e.Code == code && e.Version == 2);
        await using var connection = new NpgsqlConnection(fixture.Service.DatabaseConnectionString);
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>(
            "select count(*) from outbox_messages where payload->>'code' = @code", new { code }));
    }

    [Fact]
    public async Task A_county_officer_keeps_only_their_countys_points()
    {
        var yanhu = await CountyOfficerAsync("140802");
        var linyi = await CountyOfficerAsync("140821");
        var code = NewCode();
        (await yanhu.PostAsJsonAsync("/api/service-points", APoint(code))).EnsureSuccessStatusCode();

        using var create = await linyi.PostAsJsonAsync("/api/service-points", APoint(NewCode()));
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        using var move = await linyi.PostAsJsonAsync($"/api/service-points/{code}/status", new { status = "closed", version = 1 });
        Assert.Equal(HttpStatusCode.NotFound, move.StatusCode);
    }

    [Fact]
    public async Task The_nearest_open_points_equal_a_brute_force_over_ten_thousand_random_points_and_times()
    {
        var random = new Random(20261129);
        var county = "140830";
        var prefix = $"NN{random.Next(1000, 9999)}-";
        var hours = new[]
        {
            """{"alwaysOpen":true}""",
            """{"weekly":{"mon":["08:00-18:00"],"tue":["08:00-18:00"],"wed":["08:00-18:00"],"thu":["08:00-18:00"],"fri":["08:00-18:00"]}}""",
            """{"weekly":{"sat":["00:00-24:00"],"sun":["10:00-16:00"]},"exceptions":[{"date":"2026-12-05","hours":[]}]}""",
        };
        var services = new[] { new[] { "water", "rest" }, new[] { "food", "shelter" }, new[] { "water", "travel_voucher" } };
        var statuses = new[] { "embedded", "embedded", "embedded", "planned", "suspended" };
        var points = Enumerable.Range(0, 10_000).Select(i => new
        {
            Code = prefix + i.ToString("D5", CultureInfo.InvariantCulture),
            Longitude = PointRules.MinLongitude + random.NextDouble() * (PointRules.MaxLongitude - PointRules.MinLongitude),
            Latitude = PointRules.MinLatitude + random.NextDouble() * (PointRules.MaxLatitude - PointRules.MinLatitude),
            Hours = hours[random.Next(hours.Length)],
            Services = services[random.Next(services.Length)],
            Status = statuses[random.Next(statuses.Length)],
        }).ToList();

        // Written straight into the table (the API's own rules are tested above): 10,000 POSTs would only be slow.
        await using (var connection = new NpgsqlConnection(fixture.Service.DatabaseConnectionString))
        {
            await connection.OpenAsync();
            await using var import = await connection.BeginBinaryImportAsync(
                "copy service_points (code, name, kind, county_code, address, longitude, latitude, opening_hours, services, status, created_at, updated_at) from stdin (format binary)");
            foreach (var point in points)
            {
                await import.StartRowAsync();
                await import.WriteAsync(point.Code);
                await import.WriteAsync("随机点");
                await import.WriteAsync("love_station");
                await import.WriteAsync(county);
                await import.WriteAsync("随机");
                await import.WriteAsync(point.Longitude);
                await import.WriteAsync(point.Latitude);
                await import.WriteAsync(point.Hours, NpgsqlTypes.NpgsqlDbType.Jsonb);
                await import.WriteAsync(point.Services);
                await import.WriteAsync(point.Status);
                await import.WriteAsync(DateTime.UtcNow, NpgsqlTypes.NpgsqlDbType.TimestampTz);
                await import.WriteAsync(DateTime.UtcNow, NpgsqlTypes.NpgsqlDbType.TimestampTz);
            }

            await import.CompleteAsync();
        }

        await using (var connection = new NpgsqlConnection(fixture.Service.DatabaseConnectionString))
        {
            await connection.ExecuteAsync("analyze service_points");
        }

        // Other tests' points stand in the same table: the brute force sees every embedded point, as the API does.
        await using var all = new NpgsqlConnection(fixture.Service.DatabaseConnectionString);
        var everyPoint = (await all.QueryAsync<(string Code, double Longitude, double Latitude, string Hours, string[] Services)>(
            "select code, longitude, latitude, opening_hours::text, services from service_points where status = 'embedded'")).AsList();
        var client = await fixture.Service.ClientForAsync(TestUsers.HotlineOperator());
        var failures = new List<string>();
        for (var query = 0; query < 40; query++)
        {
            var lon = PointRules.MinLongitude + random.NextDouble() * (PointRules.MaxLongitude - PointRules.MinLongitude);
            var lat = PointRules.MinLatitude + random.NextDouble() * (PointRules.MaxLatitude - PointRules.MinLatitude);
            var at = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.FromHours(8)).AddMinutes(random.Next(0, 8 * 24 * 60));
            var service = query % 3 == 0 ? null : PointServices.All[random.Next(PointServices.All.Count)];

            var expected = everyPoint
                .Where(p => service is null || p.Services.Contains(service))
                .Where(p => OpeningHours.TryParse(JsonDocument.Parse(p.Hours).RootElement, out var h, out _) && h!.IsOpenAt(at))
                .Select(p => (p.Code, Metres: GreatCircleMetres(lat, lon, p.Latitude, p.Longitude)))
                .OrderBy(p => p.Metres).Take(5).ToList();
            var url = $"/api/service-points/nearest?lon={lon.ToString(CultureInfo.InvariantCulture)}&lat={lat.ToString(CultureInfo.InvariantCulture)}" +
                      $"&at={Uri.EscapeDataString(at.ToString("O", CultureInfo.InvariantCulture))}&limit=5" + (service is null ? "" : $"&service={service}");
            var answer = await client.GetFromJsonAsync<List<JsonElement>>(url);

            var got = answer!.Select(p => (Code: p.GetProperty("code").GetString()!, Metres: p.GetProperty("distanceMetres").GetDouble())).ToList();
            // Same points at the same distances (earthdistance's earth is a sphere of 6,378,168 m, as below).
            if (got.Count != expected.Count || got.Zip(expected).Any(pair => pair.First.Code != pair.Second.Code && Math.Abs(pair.First.Metres - pair.Second.Metres) > 0.01)
                || got.Zip(expected).Any(pair => Math.Abs(pair.First.Metres - pair.Second.Metres) > 1))
            {
                failures.Add($"{url}: got {string.Join(", ", got)}; expected {string.Join(", ", expected)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Coverage_counts_by_county_kind_and_status_and_lists_gaps_and_overdue_training()
    {
        var officer = await CountyOfficerAsync("140881");
        var planned = NewCode();
        var embedded = NewCode();
        (await officer.PostAsJsonAsync("/api/service-points", APoint(planned, "140881", 110.45, 34.87))).EnsureSuccessStatusCode();
        (await officer.PostAsJsonAsync("/api/service-points", APoint(embedded, "140881", 110.46, 34.88))).EnsureSuccessStatusCode();
        await MoveAsync(officer, embedded, new { status = "embedded", version = 1, signInstalledOn = "2024-01-10", staffTrainedCount = 2, staffTrainedOn = "2024-01-15" });

        var report = await officer.GetFromJsonAsync<JsonElement>("/api/service-points/coverage?trainingOlderThanDays=365");

        var counts = report.GetProperty("counts").EnumerateArray().ToList();
        Assert.All(counts, c => Assert.Equal("140881", c.GetProperty("countyCode").GetString()));
        Assert.Contains(counts, c => c.GetProperty("status").GetString() == "planned" && c.GetProperty("points").GetInt32() >= 1);
        Assert.Contains(report.GetProperty("gaps").EnumerateArray(), p => p.GetProperty("code").GetString() == planned);
        Assert.Contains(report.GetProperty("trainingOverdue").EnumerateArray(), p => p.GetProperty("code").GetString() == embedded);
    }

    private static async Task<int> MoveAsync(HttpClient client, string code, object change)
    {
        using var response = await client.PostAsJsonAsync($"/api/service-points/{code}/status", change);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32();
    }

    /// <summary>earthdistance's great circle: a sphere of radius 6,378,168 m.</summary>
    private static double GreatCircleMetres(double lat1, double lon1, double lat2, double lon2)
    {
        const double radius = 6378168;
        static double Rad(double degrees) => degrees * Math.PI / 180;
        var a = Math.Pow(Math.Sin(Rad(lat2 - lat1) / 2), 2) + Math.Cos(Rad(lat1)) * Math.Cos(Rad(lat2)) * Math.Pow(Math.Sin(Rad(lon2 - lon1) / 2), 2);
        return 2 * radius * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}
