using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Relief.Portal.Clients;

namespace Relief.Portal.Components.Pages.Statistics;

/// <summary>
/// The statistics page's period and filters as its query gives them, and the links from each of its numbers to the
/// cases behind it: Intake's own /cases list where its filters can say the same thing (county, point, situation,
/// identity state, registration dates), else the list of the case numbers Reporting counted (/statistics/cases).
/// </summary>
public sealed record StatisticsPeriod(string From, string To, string? Month, string? County, string? PointKind)
{
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    /// <summary>
    /// The period asked for: from–to when given, else the month, else this month (Beijing time). An unreadable date
    /// is left out so Reporting's refusal names it.
    /// </summary>
    public static StatisticsPeriod Of(string? from, string? to, string? month, string? county, string? pointKind, DateTimeOffset now)
    {
        county = string.IsNullOrWhiteSpace(county) ? null : county;
        pointKind = string.IsNullOrWhiteSpace(pointKind) ? null : pointKind;
        if (!string.IsNullOrWhiteSpace(from) || !string.IsNullOrWhiteSpace(to))
        {
            return new StatisticsPeriod(from ?? "", to ?? "", null, county, pointKind);
        }

        var today = DateOnly.FromDateTime(now.ToOffset(Beijing).DateTime);
        var first = DateOnly.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var asked)
            ? asked
            : new DateOnly(today.Year, today.Month, 1);
        return new StatisticsPeriod(Date(first), Date(first.AddMonths(1).AddDays(-1)), first.ToString("yyyy-MM", CultureInfo.InvariantCulture), county,
            pointKind);
    }

    public StatisticsFilter Filter => new(NullIfEmpty(From), NullIfEmpty(To), County, PointKind);

    /// <summary>The month the downloads are for: the one asked for, else the month the period starts in.</summary>
    public string? ReportMonth => Month ?? (DateOnly.TryParseExact(From, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
        ? from.ToString("yyyy-MM", CultureInfo.InvariantCulture)
        : null);

    /// <summary>The cases registered in the period, in the filters' county (and point), with one more of Intake's filters.</summary>
    public string Cases(string? name = null, string? value = null, string? point = null, string? county = null, string? from = null, string? to = null)
    {
        if (PointKind is not null)
        {
            // Intake's list knows no kind of point: Reporting's own list says which cases were counted.
            return name is not null ? Counted(name, value) : point is not null ? Counted("point", point)
                : county is not null ? Counted("county", county) : Counted(null, null);
        }

        var query = new Dictionary<string, string?>
        {
            ["from"] = from ?? NullIfEmpty(From), ["to"] = to ?? NullIfEmpty(To), ["county"] = county ?? County, ["point"] = point,
        };
        if (name is not null)
        {
            query[name] = value;
        }

        return QueryHelpers.AddQueryString("/cases", query.Where(p => !string.IsNullOrEmpty(p.Value)).ToDictionary(p => p.Key, p => p.Value));
    }

    /// <summary>The cases of a month of the period (the bar of the month).</summary>
    public string MonthCases(string month) =>
        PointKind is null && DateOnly.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
            ? Cases(from: Later(Date(first), From), to: Earlier(Date(first.AddMonths(1).AddDays(-1)), To))
            : Counted("month", month);

    /// <summary>The cases Reporting counted under a number Intake's list cannot express (a channel, an outcome, the kind of point).</summary>
    public string Counted(string? dimension, string? value) =>
        "/statistics/cases" + Query.Of([.. Filter.Parameters(), ("dimension", dimension), ("value", value)]);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Later(string a, string b) => string.CompareOrdinal(a, b) >= 0 || b.Length == 0 ? a : b;

    private static string Earlier(string a, string b) => string.CompareOrdinal(a, b) <= 0 || b.Length == 0 ? a : b;

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
