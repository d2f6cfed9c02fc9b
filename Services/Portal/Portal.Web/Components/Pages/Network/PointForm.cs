using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Relief.Portal.Clients;

namespace Relief.Portal.Components.Pages.Network;

/// <summary>
/// A service point as its form holds it. Opening hours are typed the way staff say them — "24h", or
/// "mon-fri 08:00-18:00; sat 09:00-12:00" — and sent as Registry's schedule.
/// </summary>
public sealed partial class PointForm
{
    private static readonly string[] Week = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    public string? Code { get; set; }
    public string? Name { get; set; }
    public string? Kind { get; set; }
    public string? CountyCode { get; set; }
    public string? Address { get; set; }
    public string? Longitude { get; set; }
    public string? Latitude { get; set; }
    public string? Phone { get; set; }
    public string? Hours { get; set; } = "24h";
    public bool Water { get; set; }
    public bool Rest { get; set; }
    public bool Shelter { get; set; }
    public bool Charging { get; set; }
    public bool Food { get; set; }
    public bool CharityGoods { get; set; }
    public bool TravelVoucher { get; set; }
    public int Version { get; set; }

    public string[] Services() =>
    [
        .. new (bool On, string Name)[]
        {
            (Water, "water"), (Rest, "rest"), (Shelter, "shelter"), (Charging, "charging"), (Food, "food"),
            (CharityGoods, "charity_goods"), (TravelVoucher, "travel_voucher"),
        }.Where(s => s.On).Select(s => s.Name),
    ];

    public static PointForm From(ServicePointView point) => new()
    {
        Code = point.Code, Name = point.Name, Kind = point.Kind, CountyCode = point.CountyCode, Address = point.Address,
        Longitude = point.Longitude.ToString(CultureInfo.InvariantCulture), Latitude = point.Latitude.ToString(CultureInfo.InvariantCulture),
        Phone = point.Phone, Hours = Describe(point.OpeningHours), Version = point.Version,
        Water = point.Services.Contains("water"), Rest = point.Services.Contains("rest"), Shelter = point.Services.Contains("shelter"),
        Charging = point.Services.Contains("charging"), Food = point.Services.Contains("food"),
        CharityGoods = point.Services.Contains("charity_goods"), TravelVoucher = point.Services.Contains("travel_voucher"),
    };

    /// <summary>The typed hours as Registry's schedule; false when they cannot be read.</summary>
    public bool TryHours(out object schedule)
    {
        schedule = new { alwaysOpen = true };
        var text = (Hours ?? "").Trim();
        if (text.Length == 0 || text.Equals("24h", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var weekly = new Dictionary<string, List<string>>();
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = DayRange().Match(part);
            if (!match.Success)
            {
                return false;
            }

            var from = Array.IndexOf(Week, match.Groups[1].Value);
            var to = match.Groups[2].Success ? Array.IndexOf(Week, match.Groups[2].Value) : from;
            if (from < 0 || to < from)
            {
                return false;
            }

            foreach (var day in Week[from..(to + 1)])
            {
                weekly.TryAdd(day, []);
                weekly[day].AddRange(match.Groups[3].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
        }

        schedule = new { weekly };
        return weekly.Count > 0;
    }

    private static string Describe(JsonElement hours)
    {
        if (hours.TryGetProperty("alwaysOpen", out var always) && always.ValueKind == JsonValueKind.True)
        {
            return "24h";
        }

        return hours.TryGetProperty("weekly", out var week)
            ? string.Join("; ", week.EnumerateObject().Select(day => $"{day.Name} {string.Join(", ", day.Value.EnumerateArray().Select(r => r.GetString()))}"))
            : "";
    }

    [GeneratedRegex("^(mon|tue|wed|thu|fri|sat|sun)(?:-(mon|tue|wed|thu|fri|sat|sun))?\\s+([0-9:, -]+)$")]
    private static partial Regex DayRange();
}
