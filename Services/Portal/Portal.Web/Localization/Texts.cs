using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Portal;

/// <summary>
/// The portal's words. Pages write them in Chinese, which is also the key: <c>L["机构"]</c>; English comes from
/// <c>Localization/Texts.en.resx</c>. A missing English entry shows the Chinese, never an empty label.
/// </summary>
public sealed class Texts
{
    public static readonly string[] Cultures = ["zh-CN", "en"];

    public static RequestLocalizationOptions LocalizationOptions()
    {
        var options = new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture("zh-CN"),
            SupportedCultures = [.. Cultures.Select(CultureInfo.GetCultureInfo)],
            SupportedUICultures = [.. Cultures.Select(CultureInfo.GetCultureInfo)],
        };
        // Chinese unless the user chose English here: office PCs' browsers are set up every which way.
        options.RequestCultureProviders = [new CookieRequestCultureProvider()];
        return options;
    }

    /// <summary>Roles as staff call them (keys of the localizer).</summary>
    public static readonly IReadOnlyDictionary<string, string> Roles = new Dictionary<string, string>
    {
        [ReliefRoles.PointStaff] = "服务点工作人员",
        [ReliefRoles.HotlineOperator] = "热线接线员",
        [ReliefRoles.StationStaff] = "救助站工作人员",
        [ReliefRoles.CountyOfficer] = "县级民政工作人员",
        [ReliefRoles.CityAdministrator] = "市级系统管理员",
        [ReliefRoles.Auditor] = "审计人员",
    };

    /// <summary>Kinds of office (keys of the localizer).</summary>
    public static readonly IReadOnlyDictionary<string, string> OfficeKinds = new Dictionary<string, string>
    {
        [ServiceDefaults.Authentication.OfficeKinds.ServicePoint] = "临时救助服务点",
        [ServiceDefaults.Authentication.OfficeKinds.ReliefStation] = "救助管理站",
        [ServiceDefaults.Authentication.OfficeKinds.Hotline] = "救助热线",
        [ServiceDefaults.Authentication.OfficeKinds.CountyOffice] = "县级民政部门",
        [ServiceDefaults.Authentication.OfficeKinds.CityBureau] = "市民政局",
    };

    /// <summary>Kinds of service point (keys of the localizer).</summary>
    public static readonly IReadOnlyDictionary<string, string> PointKinds = new Dictionary<string, string>
    {
        ["regional_center"] = "区域性党群服务中心",
        ["community_center"] = "社区党群服务中心",
        ["love_station"] = "爱心驿站",
        ["reception_center"] = "群众接待服务中心",
        ["bus_station"] = "汽车站",
        ["railway_station"] = "火车站",
        ["high_speed_rail_station"] = "高铁站",
        ["relief_station"] = "救助管理站（点）",
        ["city_station"] = "城市驿站",
        ["mediation_center"] = "矛盾纠纷调解中心",
        ["governance_center"] = "社会治理中心",
    };

    /// <summary>Embedding statuses (keys of the localizer).</summary>
    public static readonly IReadOnlyDictionary<string, string> PointStatuses = new Dictionary<string, string>
    {
        ["planned"] = "规划中",
        ["embedded"] = "已嵌入",
        ["suspended"] = "暂停",
        ["closed"] = "已撤销",
    };

    /// <summary>What a point offers (keys of the localizer).</summary>
    public static readonly IReadOnlyDictionary<string, string> PointServices = new Dictionary<string, string>
    {
        ["water"] = "饮水",
        ["rest"] = "休息",
        ["shelter"] = "避雨避寒",
        ["charging"] = "充电",
        ["food"] = "食物",
        ["charity_goods"] = "爱心物资",
        ["travel_voucher"] = "返乡乘车凭证",
    };

    /// <summary>Opening hours in a line: "24 小时", or the week's ranges.</summary>
    public static string Hours(System.Text.Json.JsonElement hours, Microsoft.Extensions.Localization.IStringLocalizer localizer)
    {
        if (hours.ValueKind == System.Text.Json.JsonValueKind.Object && hours.TryGetProperty("alwaysOpen", out var always) && always.ValueKind == System.Text.Json.JsonValueKind.True)
        {
            return localizer["24 小时开放"];
        }

        if (hours.ValueKind != System.Text.Json.JsonValueKind.Object || !hours.TryGetProperty("weekly", out var week))
        {
            return "";
        }

        return string.Join("；", week.EnumerateObject().Select(day =>
            $"{localizer[DayNames.GetValueOrDefault(day.Name, day.Name)]} {string.Join(", ", day.Value.EnumerateArray().Select(r => r.GetString()))}"));
    }

    /// <summary>Days of the week as the schedules name them (keys of the localizer).</summary>
    public static readonly IReadOnlyDictionary<string, string> DayNames = new Dictionary<string, string>
    {
        ["mon"] = "周一", ["tue"] = "周二", ["wed"] = "周三", ["thu"] = "周四", ["fri"] = "周五", ["sat"] = "周六", ["sun"] = "周日",
    };

    /// <summary>The county's name in Chinese (place names are not translated), or the code when unknown.</summary>
    public static string County(string? code) =>
        code is null ? "" : code == "140800" ? "运城市" : YunchengCounties.Names.TryGetValue(code, out var name) ? name : code;

    /// <summary>A time as staff read it: Beijing time (UTC+8), to the minute.</summary>
    public static string Time(DateTime utc) =>
        new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToOffset(TimeSpan.FromHours(8))
            .ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public static readonly IReadOnlyDictionary<string, string> Sexes = new Dictionary<string, string>
    {
        ["Male"] = "男", ["Female"] = "女", ["Unknown"] = "不详",
    };

    public static string Sex(string sex) => Sexes.GetValueOrDefault(sex, "不详");

    public static readonly IReadOnlyDictionary<string, string> Needs = new Dictionary<string, string>
    {
        ["Food"] = "食物", ["TravelVoucher"] = "返乡乘车凭证", ["Referral"] = "转介救助站", ["Emergency"] = "紧急送医/报警", ["unknown"] = "不详",
    };

    public static readonly IReadOnlyDictionary<string, string> Channels = new Dictionary<string, string>
    {
        ["WalkIn"] = "到点求助", ["Hotline"] = "热线", ["Outreach"] = "街面巡查", ["Police"] = "公安移送", ["unknown"] = "不详",
    };

    /// <summary>How a case came to belong to its person.</summary>
    public static readonly IReadOnlyDictionary<string, string> LinkedBy = new Dictionary<string, string>
    {
        ["new"] = "首次登记", ["id_number"] = "身份证件一致", ["confirmed"] = "人工确认合并", ["split"] = "人工拆分",
    };

    /// <summary>Why two records may be one person.</summary>
    public static readonly IReadOnlyDictionary<string, string> MatchReasons = new Dictionary<string, string>
    {
        ["same_name"] = "姓名相同", ["same_birth_date"] = "出生日期相同", ["age_within_3_years"] = "年龄相差3岁以内",
        ["age_within_5_years"] = "年龄相差5岁以内", ["same_household_region"] = "户籍地相同", ["same_county"] = "同一县（市、区）求助",
        ["same_id_number"] = "补登的身份证件相同",
    };

    public static readonly IReadOnlyDictionary<string, string> Decisions = new Dictionary<string, string>
    {
        ["rejected"] = "已确认不是同一人", ["split"] = "已拆分",
    };

    /// <summary>A case's situation (the codes Intake keeps).</summary>
    public static readonly IReadOnlyDictionary<string, string> Situations = new Dictionary<string, string>
    {
        ["lost_documents"] = "证件遗失", ["lost_phone"] = "手机遗失", ["no_fare"] = "无返乡路费", ["homeless"] = "无处居住",
        ["wandering"] = "流浪", ["ill_or_injured"] = "患病或受伤", ["elderly_alone"] = "独自在外的老人", ["minor"] = "未成年人",
        ["disabled"] = "残疾", ["mental_distress"] = "精神状况异常", ["other"] = "其他",
    };

    /// <summary>What the person needs (several may apply).</summary>
    public static readonly IReadOnlyDictionary<string, string> CaseNeeds = new Dictionary<string, string>
    {
        ["food"] = "食物", ["water"] = "饮水", ["rest"] = "休息", ["travel_home"] = "返乡", ["lodging"] = "住宿",
        ["medical_care"] = "医疗", ["family_search"] = "寻亲", ["clothing"] = "衣物",
    };

    public static readonly IReadOnlyDictionary<string, string> Benefits = new Dictionary<string, string>
    {
        ["unknown"] = "不详", ["none"] = "无", ["dibao"] = "低保", ["wubao"] = "五保",
    };

    public static readonly IReadOnlyDictionary<string, string> IdentityStatuses = new Dictionary<string, string>
    {
        ["unconfirmed"] = "待确认", ["id_card_checked"] = "已核验身份证", ["police_check"] = "公安核查", ["self_declared"] = "本人自述",
        ["not_established"] = "无法确认",
    };

    /// <summary>The fields of a case's record, as its history names them.</summary>
    public static readonly IReadOnlyDictionary<string, string> CaseFields = new Dictionary<string, string>
    {
        ["personName"] = "姓名", ["sex"] = "性别", ["estimatedAge"] = "估计年龄", ["need"] = "救助类别", ["circumstances"] = "情况说明",
        ["idNumber"] = "身份证号", ["birthDate"] = "出生日期", ["householdPlace"] = "户籍地", ["benefits"] = "低保/五保",
        ["situations"] = "情况", ["needs"] = "需要", ["contacts"] = "联系方式", ["belongings"] = "代管物品", ["place"] = "发现地点",
        ["notes"] = "备注",
    };

    public static string Time(DateTimeOffset time) => time.ToOffset(TimeSpan.FromHours(8))
        .ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}
