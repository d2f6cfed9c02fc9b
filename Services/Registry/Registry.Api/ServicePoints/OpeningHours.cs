using System.Globalization;
using System.Text.Json;

namespace Relief.Registry.ServicePoints;

/// <summary>
/// When a point is open, in Beijing time (UTC+8, no daylight saving): <c>{"alwaysOpen": true}</c>, or a week of ranges
/// with dated exceptions —
/// <c>{"weekly": {"mon": ["08:00-12:00", "14:00-18:00"], …}, "exceptions": [{"date": "2026-10-01", "hours": []}]}</c>.
/// A day missing from the week is closed; an exception's empty <c>hours</c> closes that date.
/// </summary>
public sealed class OpeningHours
{
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);
    private static readonly string[] Days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private readonly bool alwaysOpen;
    private readonly Dictionary<string, List<(TimeOnly From, TimeOnly To, bool ToMidnight)>> weekly = [];
    private readonly Dictionary<DateOnly, List<(TimeOnly From, TimeOnly To, bool ToMidnight)>> exceptions = [];

    private OpeningHours(bool alwaysOpen) => this.alwaysOpen = alwaysOpen;

    /// <summary>Reads a schedule, or says what is wrong with it (for the field error).</summary>
    public static bool TryParse(JsonElement json, out OpeningHours? hours, out string? error)
    {
        hours = null;
        error = null;
        if (json.ValueKind != JsonValueKind.Object)
        {
            error = "Opening hours are {\"alwaysOpen\": true} or {\"weekly\": {…}, \"exceptions\": […]}.";
            return false;
        }

        if (json.TryGetProperty("alwaysOpen", out var always) && always.ValueKind == JsonValueKind.True)
        {
            hours = new OpeningHours(alwaysOpen: true);
            return true;
        }

        if (!json.TryGetProperty("weekly", out var week) || week.ValueKind != JsonValueKind.Object)
        {
            error = "Opening hours need \"alwaysOpen\": true or a \"weekly\" schedule.";
            return false;
        }

        var parsed = new OpeningHours(alwaysOpen: false);
        foreach (var day in week.EnumerateObject())
        {
            if (!Days.Contains(day.Name))
            {
                error = $"'{day.Name}' is not a day: use {string.Join(", ", Days)}.";
                return false;
            }

            if (!TryRanges(day.Value, out var ranges, out error))
            {
                return false;
            }

            parsed.weekly[day.Name] = ranges;
        }

        if (json.TryGetProperty("exceptions", out var dated) && dated.ValueKind == JsonValueKind.Array)
        {
            foreach (var exception in dated.EnumerateArray())
            {
                if (!exception.TryGetProperty("date", out var date) || !DateOnly.TryParseExact(date.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var on))
                {
                    error = "Each exception has a \"date\" (yyyy-MM-dd).";
                    return false;
                }

                if (!exception.TryGetProperty("hours", out var ranges) || !TryRanges(ranges, out var list, out error))
                {
                    error ??= "Each exception has \"hours\" (an empty list closes the date).";
                    return false;
                }

                parsed.exceptions[on] = list;
            }
        }

        hours = parsed;
        return true;
    }

    /// <summary>Open at <paramref name="at"/>? Ranges include their start and exclude their end.</summary>
    public bool IsOpenAt(DateTimeOffset at)
    {
        if (alwaysOpen)
        {
            return true;
        }

        var local = at.ToOffset(Beijing);
        var date = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var ranges = exceptions.TryGetValue(date, out var dated) ? dated
            : weekly.TryGetValue(Days[(int)local.DayOfWeek], out var usual) ? usual : [];
        return ranges.Any(range => time >= range.From && (range.ToMidnight || time < range.To));
    }

    private static bool TryRanges(JsonElement json, out List<(TimeOnly, TimeOnly, bool)> ranges, out string? error)
    {
        ranges = [];
        error = null;
        if (json.ValueKind != JsonValueKind.Array)
        {
            error = "Hours are a list of \"HH:mm-HH:mm\" ranges.";
            return false;
        }

        foreach (var item in json.EnumerateArray())
        {
            var parts = item.GetString()?.Split('-');
            if (parts is not { Length: 2 }
                || !TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
                || !(parts[1] == "24:00" || TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)))
            {
                error = $"'{item}' is not a range like \"08:00-18:00\".";
                return false;
            }

            var toMidnight = parts[1] == "24:00";
            var to = toMidnight ? TimeOnly.MaxValue : TimeOnly.ParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture);
            if (!toMidnight && to <= from)
            {
                error = $"'{item}' ends before it starts: split a night across two days (\"20:00-24:00\", \"00:00-08:00\").";
                return false;
            }

            ranges.Add((from, to, toMidnight));
        }

        return true;
    }
}
