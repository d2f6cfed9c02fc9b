using System.Globalization;
using Dapper;
using Relief.Reporting.ReadModel;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Reporting.Statistics;

/// <summary>
/// The period and filters of a statistics request, read from the query string: dates are Beijing days, both ends
/// included; a bad value is a field error in Chinese and English.
/// </summary>
public sealed record StatisticsFilter(DateOnly From, DateOnly To, string? County, string? PointKind, string? Point)
{
    /// <summary>The longest period one request counts over: a few years of monthly reports, no more.</summary>
    public const int MaxDays = 3 * 366;

    public DateTimeOffset FromInstant => new DateTimeOffset(From.ToDateTime(TimeOnly.MinValue), ReadModelHandlers.Beijing).ToUniversalTime();

    /// <summary>The start of the day after <see cref="To"/>: the period's exclusive end.</summary>
    public DateTimeOffset ToInstant => new DateTimeOffset(To.AddDays(1).ToDateTime(TimeOnly.MinValue), ReadModelHandlers.Beijing).ToUniversalTime();

    public static DateOnly TodayInBeijing(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(ReadModelHandlers.Beijing).DateTime);

    /// <summary>Reads the filter; an absent period is the current Beijing month.</summary>
    public static StatisticsFilter? Read(string? from, string? to, string? county, string? pointKind, string? point,
        TimeProvider clock, Dictionary<string, string[]> errors)
    {
        var today = TodayInBeijing(clock);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        var fromDate = ReadDate(from, "from", monthStart, errors);
        var toDate = ReadDate(to, "to", monthStart.AddMonths(1).AddDays(-1), errors);
        if (errors.Count == 0 && fromDate > toDate)
        {
            errors["from"] = ["起始日期不能晚于结束日期 / from must not be after to"];
        }
        else if (errors.Count == 0 && toDate.DayNumber - fromDate.DayNumber >= MaxDays)
        {
            errors["to"] = [$"统计期间最长 {MaxDays} 天 / the period is at most {MaxDays} days"];
        }

        ReadCounty(county, errors);
        if (pointKind is not null && !IsCode(pointKind))
        {
            errors["pointKind"] = ["服务点类型为小写代码，如 community_center / the kind of point is a lower-case code such as community_center"];
        }

        if (point is not null && (point.Length is 0 or > 64 || !point.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            errors["point"] = ["服务点编码只含字母、数字和连字符 / the point code has letters, digits and hyphens only"];
        }

        return errors.Count == 0 ? new StatisticsFilter(fromDate, toDate, Blank(county), Blank(pointKind), Blank(point)) : null;
    }

    /// <summary>A month as yyyy-MM (Beijing): the monthly report's period.</summary>
    public static StatisticsFilter? ReadMonth(string? month, string? county, TimeProvider clock, Dictionary<string, string[]> errors)
    {
        var today = TodayInBeijing(clock);
        var first = new DateOnly(today.Year, today.Month, 1);
        if (month is not null)
        {
            if (DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                first = parsed;
            }
            else
            {
                errors["month"] = ["月份格式为 yyyy-MM，如 2026-11 / the month is yyyy-MM, e.g. 2026-11"];
            }
        }

        ReadCounty(county, errors);
        return errors.Count == 0 ? new StatisticsFilter(first, first.AddMonths(1).AddDays(-1), Blank(county), null, null) : null;
    }

    private static void ReadCounty(string? county, Dictionary<string, string[]> errors)
    {
        if (county is not null && !YunchengCounties.Contains(county))
        {
            errors["county"] = ["县区为运城市 13 个县区的代码之一，如 140802 / the county is one of Yuncheng's 13 county codes, e.g. 140802"];
        }
    }

    private static DateOnly ReadDate(string? value, string field, DateOnly fallback, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return fallback;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors[field] = ["日期格式为 yyyy-MM-dd，如 2026-11-01 / the date is yyyy-MM-dd, e.g. 2026-11-01"];
        return fallback;
    }

    private static bool IsCode(string value) => value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterLower(c) || c == '_');

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>The cases a statistic counts: registered in the period, within the filters and the user's scope.</summary>
    public static readonly string CasesWhere = $"""
        c.registered_at >= @From and c.registered_at < @To
          and (@County::text is null or c.county_code = @County)
          and (@PointKind::text is null or c.point_kind = @PointKind)
          and (@Point::text is null or c.service_point_code = @Point)
          and {DataScope.Predicate(new ScopeColumns(County: "c.county_code", ServicePoint: "c.service_point_code"))}
        """;

    /// <summary>The same filters and scope on a case without the period (referrals and relief have their own times).</summary>
    public static readonly string CaseScopeWhere = $"""
        (@County::text is null or c.county_code = @County)
          and (@PointKind::text is null or c.point_kind = @PointKind)
          and (@Point::text is null or c.service_point_code = @Point)
          and {DataScope.Predicate(new ScopeColumns(County: "c.county_code", ServicePoint: "c.service_point_code"))}
        """;

    /// <summary>
    /// The filters and scope on a roll-up's or a row's own columns (alias.county_code, alias.service_point_code,
    /// alias.point_kind), without the period.
    /// </summary>
    public static string FiltersOn(string alias, bool pointColumns = true) => $"""
        (@County::text is null or {alias}.county_code = @County)
          {(pointColumns ? $"and (@PointKind::text is null or {alias}.point_kind = @PointKind) and (@Point::text is null or {alias}.service_point_code = @Point)" : "")}
          and {DataScope.Predicate(new ScopeColumns(County: alias + ".county_code", ServicePoint: pointColumns ? alias + ".service_point_code" : null))}
        """;

    /// <summary>
    /// The whole Beijing months inside the period, [<see cref="WholeMonthsFrom"/>, <see cref="WholeMonthsTo"/>): what
    /// the monthly roll-ups answer. Empty (both the same) when the period holds no whole month.
    /// </summary>
    public DateOnly WholeMonthsFrom => From.Day == 1 ? From : new DateOnly(From.Year, From.Month, 1).AddMonths(1);

    public DateOnly WholeMonthsTo
    {
        get
        {
            var end = To.AddDays(1).Day == 1 ? To.AddDays(1) : new DateOnly(To.Year, To.Month, 1);
            return end > WholeMonthsFrom ? end : WholeMonthsFrom;
        }
    }

    /// <summary>The period is whole Beijing months, from the first of one to the last of another.</summary>
    public bool IsWholeMonths => WholeMonthsFrom == From && WholeMonthsTo == To.AddDays(1);

    private static DateTimeOffset Instant(DateOnly day) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), ReadModelHandlers.Beijing).ToUniversalTime();

    /// <summary>
    /// Filters only on county (and the county scope) with a reader whose scope is a county or the city: the referral
    /// and relief rows carry the case's county, so these need no join with the cases and may read the roll-ups. A point,
    /// a kind of point or point staff's scope need the case's point.
    /// </summary>
    public bool ByCountyOnly(ReliefUser user) =>
        Point is null && PointKind is null
        && ((user.Role == ReliefRoles.CityAdministrator && user.OfficeKind == OfficeKinds.CityBureau)
            || (user.Role == ReliefRoles.CountyOfficer && user.OfficeKind == OfficeKinds.CountyOffice));

    public DynamicParameters Parameters(ReliefUser user, object? more = null)
    {
        var parameters = DataScope.Parameters(user, more);
        parameters.Add("From", FromInstant);
        parameters.Add("To", ToInstant);
        parameters.Add("WholeFrom", WholeMonthsFrom);
        parameters.Add("WholeTo", WholeMonthsTo);
        // The days before the whole months end at the period's end when it holds none (5 to 20 November: all rows).
        var end = To.AddDays(1);
        parameters.Add("WholeFromInstant", Instant(WholeMonthsFrom < end ? WholeMonthsFrom : end));
        parameters.Add("WholeToInstant", Instant(WholeMonthsTo));
        parameters.Add("County", County);
        parameters.Add("PointKind", PointKind);
        parameters.Add("Point", Point);
        return parameters;
    }
}
