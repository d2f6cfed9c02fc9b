namespace Relief.ServiceDefaults;

/// <summary>The 13 county-level divisions of Yuncheng (运城市), GB/T 2260 codes (shared/data/yuncheng-counties.csv).</summary>
public static class YunchengCounties
{
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["140802"] = "盐湖区",
        ["140821"] = "临猗县",
        ["140822"] = "万荣县",
        ["140823"] = "闻喜县",
        ["140824"] = "稷山县",
        ["140825"] = "新绛县",
        ["140826"] = "绛县",
        ["140827"] = "垣曲县",
        ["140828"] = "夏县",
        ["140829"] = "平陆县",
        ["140830"] = "芮城县",
        ["140881"] = "永济市",
        ["140882"] = "河津市",
    };

    public static bool Contains(string? code) => code is not null && Names.ContainsKey(code);
}
