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
        ["unconfirmed"] = "待确认", ["id_card_checked"] = "已核验身份证", ["police_check"] = "公安核查", ["relatives_confirmed"] = "亲属确认", ["self_declared"] = "本人自述",
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

    /// <summary>A referral's states (ReferralLifecycle in Referral).</summary>
    public static readonly IReadOnlyDictionary<string, string> ReferralStatuses = new Dictionary<string, string>
    {
        ["requested"] = "待接收",
        ["accepted"] = "已接收",
        ["rejected"] = "已拒绝",
        ["in_progress"] = "照料中",
        ["completed"] = "已办结",
        ["cancelled"] = "已取消",
        ["transferred"] = "已转出",
    };

    /// <summary>How urgent a referral is: it sets how soon the station must accept it.</summary>
    public static readonly IReadOnlyDictionary<string, string> Priorities = new Dictionary<string, string>
    {
        ["urgent"] = "紧急",
        ["high"] = "优先",
        ["normal"] = "一般",
    };

    /// <summary>What can be done to a referral (the buttons), and the steps of its history.</summary>
    public static readonly IReadOnlyDictionary<string, string> ReferralActions = new Dictionary<string, string>
    {
        ["request"] = "发出转介",
        ["accept"] = "接收",
        ["reject"] = "拒绝接收",
        ["start"] = "开始照料",
        ["complete"] = "办结",
        ["cancel"] = "取消转介",
        ["transfer"] = "转给其他县（市、区）",
        ["reopen"] = "重新打开",
        ["overdue"] = "超时提醒",
        ["extension_requested"] = "申请延期",
        ["extension_approved"] = "批准延期",
        ["extension_refused"] = "不批准延期",
        ["priority_raised"] = "提高紧急程度",
    };

    /// <summary>Why a station may refuse a referral (coded).</summary>
    public static readonly IReadOnlyDictionary<string, string> RejectReasons = new Dictionary<string, string>
    {
        ["not_in_area"] = "不属本站辖区",
        ["no_capacity"] = "本站无力接收",
        ["not_eligible"] = "不符合救助条件",
        ["duplicate"] = "重复转介",
        ["other"] = "其他原因",
    };

    /// <summary>How a person left relief (the national rules' list).</summary>
    public static readonly IReadOnlyDictionary<string, string> Outcomes = new Dictionary<string, string>
    {
        ["returned_home"] = "自行返乡",
        ["collected_by_relatives"] = "亲属接回",
        ["escorted_home"] = "护送返乡",
        ["placed"] = "安置",
        ["hospitalised"] = "送医治疗",
        ["handed_to_police"] = "移交公安",
        ["left_of_own_accord"] = "自愿离站",
        ["relief_terminated"] = "终止救助",
    };

    /// <summary>Kinds of relief given (the ledger).</summary>
    public static readonly IReadOnlyDictionary<string, string> ReliefKinds = new Dictionary<string, string>
    {
        ["food"] = "食品",
        ["water"] = "饮用水",
        ["travel_voucher"] = "乘车凭证",
        ["lodging"] = "住宿",
        ["escort"] = "护送返乡",
        ["cash_fare"] = "短途路费（现金）",
        ["clothing"] = "衣物",
        ["medical"] = "医疗救治",
        ["family_contact"] = "联系亲属或单位",
    };

    /// <summary>How a travel voucher takes the person home.</summary>
    public static readonly IReadOnlyDictionary<string, string> TravelModes = new Dictionary<string, string>
    {
        ["train"] = "火车",
        ["bus"] = "汽车",
        ["other"] = "其他",
    };

    /// <summary>What classified relief decided for a case.</summary>
    public static readonly IReadOnlyDictionary<string, string> ClassificationDecisions = new Dictionary<string, string>
    {
        ["relief_at_point"] = "在服务点救助",
        ["referral"] = "转介救助管理站",
    };

    /// <summary>What made the rules decide again.</summary>
    public static readonly IReadOnlyDictionary<string, string> ClassificationTriggers = new Dictionary<string, string>
    {
        ["registered"] = "登记时",
        ["identity_confirmed"] = "身份确认后",
        ["updated"] = "补充登记后",
    };

    /// <summary>What must happen at once, before anything else.</summary>
    public static readonly IReadOnlyDictionary<string, string> UrgentActions = new Dictionary<string, string>
    {
        ["hospital"] = "立即送医",
        ["police"] = "立即报警",
        ["child_protection"] = "移交未成年人保护机构",
    };

    /// <summary>Whom a rule refers the person to.</summary>
    public static readonly IReadOnlyDictionary<string, string> ReferTo = new Dictionary<string, string>
    {
        ["relief_station"] = "救助管理站",
    };

    /// <summary>A stay extension's state.</summary>
    public static readonly IReadOnlyDictionary<string, string> ExtensionStatuses = new Dictionary<string, string>
    {
        ["pending"] = "待审批",
        ["approved"] = "已批准",
        ["refused"] = "未批准",
    };

    /// <summary>Which deadline a referral missed.</summary>
    public static readonly IReadOnlyDictionary<string, string> OverdueKinds = new Dictionary<string, string>
    {
        ["acceptance"] = "超时未接收",
        ["care_days"] = "照料超期",
    };

    /// <summary>The fields a classification rule may have, for the rules page (an unknown one shows as written).</summary>
    public static readonly IReadOnlyDictionary<string, string> RuleFields = new Dictionary<string, string>
    {
        ["when"] = "条件",
        ["conditions"] = "条件",
        ["then"] = "结果",
        ["outcome"] = "结果",
        ["decision"] = "决定",
        ["priority"] = "紧急程度",
        ["referTo"] = "转介至",
        ["reliefAtPoint"] = "在服务点给予",
        ["urgentActions"] = "立即",
        ["escortRequired"] = "须亲属接回或护送",
        ["situations"] = "情况",
        ["anySituation"] = "情况之一",
        ["needs"] = "需要",
        ["need"] = "救助类别",
        ["identity"] = "身份",
        ["identityStatus"] = "身份",
        ["identityStatuses"] = "身份",
        ["identityEstablished"] = "身份已确认",
        ["hasIdNumber"] = "有身份证件",
        ["minAge"] = "年龄不小于",
        ["maxAge"] = "年龄不大于",
        ["ageAtLeast"] = "年龄不小于",
        ["ageBelow"] = "年龄小于",
        ["order"] = "顺序",
        ["enabled"] = "启用",
        ["all"] = "同时满足",
        ["any"] = "满足其一",
        ["not"] = "不满足",
    };

    /// <summary>A code's label (a key of the localizer), or the code itself when the portal does not know it yet.</summary>
    public static string Label(IReadOnlyDictionary<string, string> labels, string? code) =>
        code is null ? "" : labels.GetValueOrDefault(code, code);

    /// <summary>The text of a string member of a JSON detail, if it has one.</summary>
    public static string? Member(System.Text.Json.JsonElement? detail, string name) =>
        detail is { ValueKind: System.Text.Json.JsonValueKind.Object } value && value.TryGetProperty(name, out var member)
            ? member.ValueKind switch
            {
                System.Text.Json.JsonValueKind.String => member.GetString(),
                System.Text.Json.JsonValueKind.Number or System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => member.GetRawText(),
                _ => null,
            }
            : null;

    /// <summary>True when the page is shown in English (explanations come in both languages).</summary>
    public static bool English => CultureInfo.CurrentUICulture.Name == "en";

    /// <summary>Between the items of a list: "、" in Chinese, ", " in English.</summary>
    public static string ListSeparator => English ? ", " : "、";

    /// <summary>Between the parts of a line: "；" in Chinese, "; " in English.</summary>
    public static string PartSeparator => English ? "; " : "；";

    /// <summary>An amount in yuan: "¥20" or "¥12.50".</summary>
    public static string Yuan(decimal amount) => "¥" + amount.ToString(amount == decimal.Truncate(amount) ? "0" : "0.00", CultureInfo.InvariantCulture);

    /// <summary>The kinds of event a desk is told of and channels subscribe to (NotificationKinds in Notification).</summary>
    public static readonly IReadOnlyDictionary<string, string> NotificationKinds = new Dictionary<string, string>
    {
        ["referral_requested"] = "新转介待接收",
        ["referral_rejected"] = "转介被拒收",
        ["referral_overdue"] = "转介超时",
        ["referral_completed"] = "转介已办结",
        ["urgent_case"] = "紧急案件",
        ["notice_drafted"] = "寻亲公告待拟",
        ["notice_overdue"] = "寻亲公告超时",
        ["police_request_overdue"] = "公安协查超时",
    };

    /// <summary>Where an office's notifications go besides the desk.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotificationChannels = new Dictionary<string, string>
    {
        ["webhook"] = "网络推送（Webhook）",
        ["sms"] = "短信",
    };

    /// <summary>A webhook's message format: signed JSON for an office's own system, or a duty group's robot.</summary>
    public static readonly IReadOnlyDictionary<string, string> WebhookFormats = new Dictionary<string, string>
    {
        ["generic"] = "通用（签名 JSON）",
        ["wecom"] = "企业微信群机器人",
        ["dingtalk"] = "钉钉群机器人",
    };

    /// <summary>Where a delivery stands.</summary>
    public static readonly IReadOnlyDictionary<string, string> DeliveryStatuses = new Dictionary<string, string>
    {
        ["pending"] = "待发送",
        ["delivered"] = "已送达",
        ["failed"] = "发送失败",
    };

    /// <summary>寻亲: a person's sex as FamilySearch spells it (lower case, unlike Intake's).</summary>
    public static readonly IReadOnlyDictionary<string, string> NoticeSexes = new Dictionary<string, string>
    {
        ["male"] = "男", ["female"] = "女", ["unknown"] = "不详",
    };

    /// <summary>体态, as the national family-search site names it.</summary>
    public static readonly IReadOnlyDictionary<string, string> Builds = new Dictionary<string, string>
    {
        ["slim"] = "偏瘦", ["medium"] = "中等", ["heavy"] = "偏胖",
    };

    /// <summary>Where a notice (寻亲公告) stands.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoticeStatuses = new Dictionary<string, string>
    {
        ["draft"] = "待拟稿", ["in_review"] = "待审核", ["published"] = "已发布", ["withdrawn"] = "已撤回",
    };

    /// <summary>The steps of a notice's history.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoticeActions = new Dictionary<string, string>
    {
        ["drafted"] = "生成草稿", ["edited"] = "修改", ["submitted"] = "提交审核", ["approved"] = "审核通过", ["published"] = "发布",
        ["returned"] = "退回修改", ["withdrawn"] = "撤回", ["overdue"] = "超过 24 小时未发布",
    };

    /// <summary>Why a notice was withdrawn.</summary>
    public static readonly IReadOnlyDictionary<string, string> WithdrawReasons = new Dictionary<string, string>
    {
        ["identified"] = "身份已查明", ["reunited"] = "已与亲属团聚", ["left"] = "受助人已离站", ["other"] = "其他",
    };

    /// <summary>What the station asks of the police (公安协助).</summary>
    public static readonly IReadOnlyDictionary<string, string> PoliceRequestKinds = new Dictionary<string, string>
    {
        ["identity_check"] = "身份核查（7 日内）", ["dna_sample"] = "采集 DNA 样本（30 日内）", ["trafficking_report"] = "疑似走失、被遗弃、被拐卖报案（1 日内）",
    };

    /// <summary>What the police answered.</summary>
    public static readonly IReadOnlyDictionary<string, string> PoliceResults = new Dictionary<string, string>
    {
        ["identified"] = "已查明身份", ["not_identified"] = "未能查明", ["sample_taken"] = "已采样入库", ["no_record"] = "无记录", ["other"] = "其他",
    };

    /// <summary>Where a police request stands.</summary>
    public static readonly IReadOnlyDictionary<string, string> PoliceRequestStatuses = new Dictionary<string, string>
    {
        ["open"] = "待回复", ["answered"] = "已回复",
    };

    /// <summary>Where a missing-person report (寻人登记) stands.</summary>
    public static readonly IReadOnlyDictionary<string, string> ReportStatuses = new Dictionary<string, string>
    {
        ["open"] = "寻找中", ["matched"] = "已找到", ["closed"] = "已结束",
    };

    /// <summary>Where the family asked.</summary>
    public static readonly IReadOnlyDictionary<string, string> ReportChannels = new Dictionary<string, string>
    {
        ["point"] = "服务点", ["hotline"] = "救助热线", ["station"] = "救助管理站",
    };

    /// <summary>A match candidate's state.</summary>
    public static readonly IReadOnlyDictionary<string, string> MatchStatuses = new Dictionary<string, string>
    {
        ["proposed"] = "待确认", ["confirmed"] = "已确认", ["rejected"] = "已排除",
    };

    /// <summary>Why a candidate scored: the matcher's reason codes (an unknown one shows as its code).</summary>
    public static readonly IReadOnlyDictionary<string, string> FamilyMatchReasons = new Dictionary<string, string>
    {
        ["sex"] = "性别相符", ["age"] = "年龄相符", ["height"] = "身高相近", ["features"] = "体貌特征相似", ["clothing"] = "衣着相似",
        ["region"] = "地域相关", ["dates"] = "时间相符", ["accent"] = "口音相符", ["name"] = "姓名相似",
    };

    /// <summary>The ethnic groups most often met, for the public filter (any other can be typed on the staff form).</summary>
    public static readonly IReadOnlyList<string> Ethnicities = ["汉族", "回族", "蒙古族", "满族", "壮族", "维吾尔族", "藏族", "苗族", "彝族", "土家族"];

    public static string Time(DateTimeOffset time) => time.ToOffset(TimeSpan.FromHours(8))
        .ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}
