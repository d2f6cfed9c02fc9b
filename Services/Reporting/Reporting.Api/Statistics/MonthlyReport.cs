using System.Globalization;
using System.Text;
using MiniExcelLibs;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Reporting.Statistics;

/// <summary>
/// 月报: the month's summary as a workbook (sheets 月报, 按县区, 按服务点, 按情形, 转介, 救助) or as one CSV table, with
/// Chinese headers; the period and the office that drew it are the first rows of 月报 (and of the CSV), so a printed or
/// forwarded file still says what it counts and for whom.
/// </summary>
public static class MonthlyReport
{
    public const string Item = "项目";
    public const string Value = "数值";

    /// <summary>The row labels of the totals, as the test and readers of the file find them.</summary>
    public static class Labels
    {
        public const string Period = "统计期间";
        public const string Office = "制表单位";
        public const string County = "县区";
        public const string DrawnAt = "制表时间";
        public const string Cases = "登记求助人数";
        public const string Referred = "转介人数";
        public const string Referrals = "转介次数";
        public const string Accepted = "救助站接收";
        public const string Rejected = "救助站拒收";
        public const string Overdue = "超时未接收或超期";
        public const string Completed = "转介办结";
        public const string ReliefActions = "救助次数";
        public const string AcceptP50 = "接收用时中位数（分钟）";
        public const string AcceptP90 = "接收用时 90% 分位（分钟）";
    }

    private static string OfficeOf(ReliefUser user) =>
        user.Is(ReliefRoles.CityAdministrator) ? $"运城市民政局（{user.Office}）"
        : $"{YunchengCounties.Names.GetValueOrDefault(user.County, user.County)}（{user.Office}）";

    private static List<Dictionary<string, object?>> Cover(StatisticsSummary summary, StatisticsFilter filter, ReliefUser user, DateTimeOffset now)
    {
        var t = summary.Totals;
        static Dictionary<string, object?> Row(string item, object? value) => new() { [Item] = item, [Value] = value };
        return
        [
            Row(Labels.Period, $"{filter.From:yyyy-MM-dd} 至 {filter.To:yyyy-MM-dd}"),
            Row(Labels.Office, OfficeOf(user)),
            Row(Labels.County, filter.County is null ? "全部（权限范围内）" : YunchengCounties.Names[filter.County]),
            Row(Labels.DrawnAt, now.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)),
            Row(Labels.Cases, t.Cases),
            Row(Labels.Referred, t.Referred),
            Row(Labels.Referrals, t.Referrals),
            Row(Labels.Accepted, t.Accepted),
            Row(Labels.Rejected, t.Rejected),
            Row(Labels.Overdue, t.Overdue),
            Row(Labels.Completed, t.Completed),
            Row(Labels.ReliefActions, t.ReliefActions),
            Row(Labels.AcceptP50, summary.Handoff.AcceptP50Minutes),
            Row(Labels.AcceptP90, summary.Handoff.AcceptP90Minutes),
        ];
    }

    public static byte[] Excel(StatisticsSummary summary, StatisticsFilter filter, ReliefUser user, DateTimeOffset now)
    {
        var sheets = new Dictionary<string, object>
        {
            ["月报"] = Cover(summary, filter, user, now),
            ["按县区"] = summary.ByCounty.Select(c => new Dictionary<string, object?> { ["县区代码"] = c.County, ["县区"] = c.Name, ["登记人数"] = c.Cases }).ToList(),
            ["按服务点"] = summary.ByPoint.Select(p => new Dictionary<string, object?>
            {
                ["服务点编码"] = p.Point, ["服务点类型"] = p.Kind, ["县区代码"] = p.County, ["登记人数"] = p.Cases,
            }).ToList(),
            ["按情形"] = summary.BySituation.Select(s => new Dictionary<string, object?> { ["情形"] = s.Situation, ["人数"] = s.Cases }).ToList(),
            ["转介"] = summary.Handoff.ByStation.Select(s => new Dictionary<string, object?>
            {
                ["接收救助站县区"] = s.Station, ["转介次数"] = s.Referrals, ["接收"] = s.Accepted, ["拒收"] = s.Rejected, ["超时"] = s.Overdue,
                ["接收用时中位数（分钟）"] = s.AcceptP50Minutes,
            }).ToList(),
            ["救助"] = summary.Relief.VouchersByProvince.Select(v => new Dictionary<string, object?>
            {
                ["乘车凭证目的地省份"] = v.Province, ["张数"] = v.Count, ["金额（元）"] = v.Amount,
            }).ToList(),
        };
        using var stream = new MemoryStream();
        stream.SaveAs(sheets, excelType: ExcelType.XLSX);
        return stream.ToArray();
    }

    /// <summary>
    /// One table (项目, 数值): the cover rows, then the cases by county. With a byte-order mark, which Excel needs to read
    /// the file as UTF-8 instead of the local code page.
    /// </summary>
    public static byte[] Csv(StatisticsSummary summary, StatisticsFilter filter, ReliefUser user, DateTimeOffset now)
    {
        var rows = Cover(summary, filter, user, now);
        rows.AddRange(summary.ByCounty.Select(c => new Dictionary<string, object?> { [Item] = $"{Labels.Cases}：{c.Name ?? c.County}", [Value] = c.Cases }));
        using var stream = new MemoryStream();
        stream.SaveAs(rows, excelType: ExcelType.CSV);
        var csv = stream.ToArray();
        var bom = Encoding.UTF8.GetPreamble();
        return csv.AsSpan().StartsWith(bom) ? csv : [.. bom, .. csv];
    }
}
