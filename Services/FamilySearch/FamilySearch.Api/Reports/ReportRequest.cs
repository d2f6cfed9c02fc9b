using System.Text.RegularExpressions;

namespace Relief.FamilySearch.Reports;

/// <summary>寻人登记: who the family seeks, and how to reach them.</summary>
public sealed record CreateReportRequest(string? Channel, string? ServicePointCode, SoughtPerson? Sought, Reporter? Reporter);

/// <summary>The person sought, as the family remembers them when last seen.</summary>
public sealed record SoughtPerson(
    string? Name, string? Sex, int? AgeThen, int? YearLastSeen, DateOnly? LastSeenOn, string? LastSeenPlace, string? LastSeenCounty,
    int? HeightCm, string? Features, string? Clothing, string? Accent);

public sealed record Reporter(string? Name, string? Relation, string? Phone);

public static partial class ReportValidation
{
    public static readonly IReadOnlyList<string> Channels = ["point", "hotline", "station"];
    public static readonly IReadOnlyList<string> Sexes = ["male", "female", "unknown"];

    /// <summary>Every bad field of the request, by its JSON path; empty when it is good.</summary>
    public static Dictionary<string, string[]> Errors(CreateReportRequest request, DateOnly today)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];

        if (request.Channel is null || !Channels.Contains(request.Channel))
        {
            Fail("channel", "登记渠道为 point、hotline、station 之一 / the channel is one of point, hotline, station");
        }

        if (request.Channel == "point" && string.IsNullOrWhiteSpace(request.ServicePointCode))
        {
            Fail("servicePointCode", "服务点登记须填服务点代码 / a report taken at a point names the point");
        }

        Text(request.ServicePointCode, "servicePointCode", 40, Fail);

        if (request.Sought is not { } sought)
        {
            Fail("sought", "须填写所寻之人 / who is sought is required");
        }
        else
        {
            if (sought.Sex is null || !Sexes.Contains(sought.Sex))
            {
                Fail("sought.sex", "性别为 male、female、unknown 之一 / the sex is one of male, female, unknown");
            }

            if (sought.AgeThen is not (>= 0 and <= 120))
            {
                Fail("sought.ageThen", "走失时年龄须填，0 至 120 岁 / the age when last seen is required, 0 to 120");
            }

            if (sought.YearLastSeen is null && sought.LastSeenOn is null)
            {
                Fail("sought.yearLastSeen", "须填走失年份或日期 / the year or the date last seen is required");
            }

            if (sought.YearLastSeen is { } year && (year < 1900 || year > today.Year))
            {
                Fail("sought.yearLastSeen", $"走失年份在 1900 至 {today.Year} 之间 / a year from 1900 to {today.Year}");
            }

            if (sought.LastSeenOn is { } on && (on > today || on.Year < 1900))
            {
                Fail("sought.lastSeenOn", "走失日期不能晚于今天 / the date last seen cannot be in the future");
            }

            if (sought.YearLastSeen is { } y && sought.LastSeenOn is { } d && d.Year != y)
            {
                Fail("sought.yearLastSeen", "走失年份与日期不一致 / the year and the date last seen disagree");
            }

            if (sought.AgeThen is { } ageThen && (sought.LastSeenOn?.Year ?? sought.YearLastSeen) is { } seen && ageThen + today.Year - seen > 130)
            {
                Fail("sought.ageThen", "推算今年龄超过 130 岁 / the age now would be over 130");
            }

            if (sought.LastSeenCounty is { } county && !CountyCode().IsMatch(county))
            {
                Fail("sought.lastSeenCounty", "走失地区为 6 位行政区划代码 / a 6-digit GB/T 2260 county code");
            }

            if (sought.HeightCm is { } height && height is < 30 or > 250)
            {
                Fail("sought.heightCm", "身高 30 至 250 厘米 / a height from 30 to 250 cm");
            }

            Text(sought.Name, "sought.name", 50, Fail);
            Text(sought.LastSeenPlace, "sought.lastSeenPlace", 200, Fail);
            Text(sought.Features, "sought.features", 500, Fail);
            Text(sought.Clothing, "sought.clothing", 500, Fail);
            Text(sought.Accent, "sought.accent", 50, Fail);
        }

        if (request.Reporter is not { } reporter)
        {
            Fail("reporter", "须填写登记人 / who reports is required");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(reporter.Name))
            {
                Fail("reporter.name", "登记人姓名须填 / the reporter's name is required");
            }

            if (string.IsNullOrWhiteSpace(reporter.Relation))
            {
                Fail("reporter.relation", "与所寻之人的关系须填 / the relation to the person sought is required");
            }

            if (reporter.Phone is null || !Phone().IsMatch(reporter.Phone))
            {
                Fail("reporter.phone", "联系电话为 5 至 20 位数字（可含 +、-）/ a phone number of 5 to 20 digits (+ and - allowed)");
            }

            Text(reporter.Name, "reporter.name", 50, Fail);
            Text(reporter.Relation, "reporter.relation", 20, Fail);
        }

        return errors;
    }

    private static void Text(string? value, string field, int maxLength, Action<string, string> fail)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > maxLength)
        {
            fail(field, $"最长 {maxLength} 字 / at most {maxLength} characters");
        }
        else if (value.Any(c => char.IsControl(c) && c is not '\n'))
        {
            fail(field, "不能含控制字符 / no control characters");
        }
    }

    [GeneratedRegex(@"^\d{6}$")]
    private static partial Regex CountyCode();

    [GeneratedRegex(@"^\+?[0-9][0-9\- ]{3,22}[0-9]$")]
    private static partial Regex Phone();
}
