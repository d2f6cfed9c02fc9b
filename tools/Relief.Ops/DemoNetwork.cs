using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Relief.Ops;

/// <summary>
/// A demo network for trying Relief out (README, "Demo network"): the 13 counties of Yuncheng with the counts of the
/// domain notes — 1 regional and 200 community Party-mass service centers, 98 love stations, the city's public reception
/// center, the bus, railway and high-speed-rail stations and a relief station per county — each placed inside its
/// county's outline, marked as demo data. Never loaded by migrations; loading it twice changes nothing.
/// </summary>
public static class DemoNetwork
{
    public sealed record DemoPoint(
        string Code, string Name, string Kind, string CountyCode, string Address, double Longitude, double Latitude,
        object OpeningHours, string Phone, string[] Services, string Status);

    private static readonly object AlwaysOpen = new { alwaysOpen = true };
    private static readonly object OfficeHours = new
    {
        weekly = new Dictionary<string, string[]>
        {
            ["mon"] = ["08:00-12:00", "14:30-18:00"], ["tue"] = ["08:00-12:00", "14:30-18:00"], ["wed"] = ["08:00-12:00", "14:30-18:00"],
            ["thu"] = ["08:00-12:00", "14:30-18:00"], ["fri"] = ["08:00-12:00", "14:30-18:00"], ["sat"] = ["09:00-12:00"],
        },
    };
    private static readonly object DayAndEvening = new
    {
        weekly = new[] { "sun", "mon", "tue", "wed", "thu", "fri", "sat" }.ToDictionary(day => day, _ => new[] { "07:00-21:00" }),
    };

    /// <summary>The network, the same every time (a fixed seed): codes are stable, so a second load finds them there.</summary>
    public static IReadOnlyList<DemoPoint> Generate(CountyOutlines outlines)
    {
        var countyNames = outlines.Names;
        var random = new Random(140800);
        var counties = countyNames.Keys.Order().ToList();
        var points = new List<DemoPoint>();

        DemoPoint At(string county, string kindCode, int number, string name, string kind, object hours, string[] services)
        {
            var (lon, lat) = outlines.RandomPointIn(county, random);
            var roll = random.NextDouble();
            var status = roll < 0.08 ? "planned" : roll < 0.11 ? "suspended" : "embedded";
            return new DemoPoint($"DEMO-{county}-{kindCode}-{number:D3}", name, kind, county, $"{countyNames[county]}（演示地址 {number} 号）",
                lon, lat, hours, $"0359-{random.Next(2000000, 9999999)}", services, status);
        }

        // 200 community centers and 98 love stations, shared out over the counties (the district of the city seat first).
        for (var i = 0; i < 200; i++)
        {
            var county = counties[i % counties.Count];
            points.Add(At(county, "CC", i / counties.Count + 1, $"{countyNames[county]}社区党群服务中心（演示{i / counties.Count + 1}）",
                "community_center", OfficeHours, ["water", "rest", "food", "charity_goods"]));
        }

        for (var i = 0; i < 98; i++)
        {
            var county = counties[i % counties.Count];
            points.Add(At(county, "LS", i / counties.Count + 1, $"{countyNames[county]}爱心驿站（演示{i / counties.Count + 1}）",
                "love_station", DayAndEvening, ["water", "rest", "charging", "shelter"]));
        }

        const string seat = "140802";
        points.Add(At(seat, "RC", 1, "运城市区域性党群服务中心（演示）", "regional_center", OfficeHours, ["water", "rest", "food", "charity_goods"]));
        points.Add(At(seat, "PR", 1, "运城市群众接待服务中心（演示）", "reception_center", AlwaysOpen, ["water", "rest", "food", "travel_voucher"]));
        foreach (var county in counties)
        {
            var name = countyNames[county];
            points.Add(At(county, "BUS", 1, $"{name}汽车站（演示）", "bus_station", AlwaysOpen, ["water", "rest", "charging", "travel_voucher"]));
            points.Add(At(county, "RW", 1, $"{name}火车站（演示）", "railway_station", AlwaysOpen, ["water", "rest", "charging", "travel_voucher"]));
            points.Add(At(county, "HSR", 1, $"{name}高铁站（演示）", "high_speed_rail_station", AlwaysOpen, ["water", "rest", "charging", "travel_voucher"]));
            points.Add(At(county, "JZZ", 1, $"{name}救助管理站（演示）", "relief_station", AlwaysOpen,
                ["water", "rest", "shelter", "charging", "food", "charity_goods", "travel_voucher"]) with { Status = "embedded" });
        }

        return points;
    }

    /// <summary>
    /// Creates the points at Registry as the city administrator and moves each to its status; points already there are
    /// left as they are. Returns how many were created.
    /// </summary>
    public static async Task<int> LoadAsync(HttpClient registry, IReadOnlyList<DemoPoint> points, CancellationToken cancellationToken)
    {
        var created = 0;
        foreach (var point in points)
        {
            using var response = await PostAsync(registry, "/api/service-points", new
            {
                point.Code, point.Name, point.Kind, point.CountyCode, point.Address, point.Longitude, point.Latitude,
                point.OpeningHours, point.Phone, point.Services, IsDemo = true,
            }, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new OpsException($"Registry refused {point.Code}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            created++;
            if (point.Status == "planned")
            {
                continue;
            }

            var version = await MoveAsync(registry, point.Code, new
            {
                status = "embedded", version = 1, signInstalledOn = "2026-06-01", staffTrainedCount = 2, staffTrainedOn = "2026-06-15",
            }, cancellationToken);
            if (point.Status == "suspended")
            {
                await MoveAsync(registry, point.Code, new { status = "suspended", version, note = "演示：暂停服务" }, cancellationToken);
            }
        }

        return created;
    }

    /// <summary>A city administrator's access token from the stack's authority (the password in secrets.json).</summary>
    public static async Task<string> AdminTokenAsync(HttpClient authority, string password, CancellationToken cancellationToken)
    {
        using var response = await authority.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "relief-portal", ["scope"] = "openid relief",
            ["username"] = "admin", ["password"] = password,
        }), cancellationToken);
        var token = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(cancellationToken);
        return token.TryGetProperty("access_token", out var value)
            ? value.GetString()!
            : throw new OpsException("The authority refused the administrator's sign-in (was the password changed?).");
    }

    public static HttpClient Client(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<int> MoveAsync(HttpClient registry, string code, object change, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(registry, $"/api/service-points/{code}/status", change, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new OpsException($"Registry refused the status of {code}: {(int)response.StatusCode}");
        }

        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(cancellationToken)).GetProperty("version").GetInt32();
    }

    /// <summary>Posts, waiting out the per-user request limit (429 with Retry-After) as often as it answers so.</summary>
    private static async Task<HttpResponseMessage> PostAsync(HttpClient registry, string path, object body, CancellationToken cancellationToken)
    {
        while (true)
        {
            var response = await registry.PostAsJsonAsync(path, body, cancellationToken);
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                return response;
            }

            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5);
            response.Dispose();
            Console.Error.WriteLine($"Registry's request limit is reached; going on in {wait.TotalSeconds:N0} s.");
            await Task.Delay(wait, cancellationToken);
        }
    }
}
