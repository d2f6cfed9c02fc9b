using System.Globalization;

namespace Relief.Notification.Templates;

/// <summary>
/// 消息模板: what a desk reads, in Chinese. Each names the case by its number and says what the desk must do; the link
/// takes it to where it acts. Never a person's name, an ID number or a health detail: the desk opens the case in Relief,
/// where its rights decide what it sees. So a completed referral's outcome (which may be a hospital) is not named either.
/// </summary>
public static class DeskTexts
{
    /// <summary>Beijing time, in which offices read their deadlines.</summary>
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    private static readonly Dictionary<string, string> RejectReasons = new()
    {
        ["not_in_area"] = "不属本站辖区",
        ["no_capacity"] = "本站无力接收",
        ["not_eligible"] = "不符合救助条件",
        ["duplicate"] = "重复转介",
        ["other"] = "其他原因",
    };

    private static readonly Dictionary<string, string> Priorities = new()
    {
        ["urgent"] = "紧急",
        ["high"] = "较急",
        ["normal"] = "一般",
    };

    public sealed record Text(string Title, string Message, string Link);

    /// <summary>The case as messages name it; a case whose copy has not arrived yet by its place in the sentence only.</summary>
    private static string Case(string? caseNumber) => caseNumber is null ? "案件" : $"案件 {caseNumber}";

    /// <summary>A title naming the case by its number, or only what happened while the number is not known.</summary>
    private static string Title(string what, string? caseNumber) => caseNumber is null ? what : $"{what}：案件 {caseNumber}";

    private static string Time(DateTimeOffset at) =>
        at.ToOffset(Beijing).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string ReferralLink(Guid referralId) => $"/referrals/{referralId}";

    public static string CaseLink(Guid caseId) => $"/cases/{caseId}";

    public static Text ReferralRequested(string? caseNumber, Guid referralId, string priority, DateTimeOffset? acceptBy) => new(
        Title("新转介", caseNumber),
        $"{Case(caseNumber)}已转介至本站（{Priorities.GetValueOrDefault(priority, priority)}）"
            + (acceptBy is { } by ? $"，请在 {Time(by)} 前接收或拒绝。" : "，请尽快接收或拒绝。"),
        ReferralLink(referralId));

    public static Text ReferralRejected(string? caseNumber, Guid caseId, string reason) => new(
        Title("转介被拒", caseNumber),
        $"救助管理站拒绝接收{Case(caseNumber)}，原因：{RejectReasons.GetValueOrDefault(reason, "其他原因")}。请另行安排或重新转介。",
        CaseLink(caseId));

    public static Text ReferralCompleted(string? caseNumber, Guid caseId) => new(
        Title("转介已办结", caseNumber),
        $"{Case(caseNumber)}的转介已由救助管理站办结，案件已结案。",
        CaseLink(caseId));

    public static Text ReferralOverdue(string? caseNumber, Guid referralId, string deadlineKind, int level, DateTimeOffset dueAt) => new(
        Title($"转介超时（{level} 级）", caseNumber),
        deadlineKind == "care_days"
            ? $"{Case(caseNumber)}在站照料已超过期限（{Time(dueAt)}），且未批准延期，请尽快处理。"
            : $"{Case(caseNumber)}的转介未在 {Time(dueAt)} 前接收，请立即处理。",
        ReferralLink(referralId));

    /// <summary>A new case the rules say must be acted on at once: an emergency, or a minor (child protection and police).</summary>
    public static Text UrgentCase(string? caseNumber, Guid caseId, bool childProtection) => new(
        Title("紧急案件", caseNumber),
        childProtection
            ? $"{Case(caseNumber)}按分类救助规则须立即移交未成年人保护机构并通知公安，请立即跟进。"
            : $"{Case(caseNumber)}经分类为紧急，请立即跟进。",
        CaseLink(caseId));

    private static readonly Dictionary<string, string> PoliceRequestKinds = new()
    {
        ["identity_check"] = "身份核查",
        ["dna_sample"] = "DNA 采样比对",
        ["trafficking_report"] = "疑似走失、被遗弃、被拐人员报案",
    };

    public static string NoticeLink(Guid noticeId) => $"/family-search/notices/{noticeId}";

    /// <summary>寻亲公告待拟: the station completes the notice and has it approved within 24 hours of arrival.</summary>
    public static Text NoticeDrafted(string? caseNumber, Guid noticeId, DateTimeOffset dueAt) => new(
        Title("寻亲公告待拟", caseNumber),
        $"{Case(caseNumber)}的受助人员身份不明，已生成寻亲公告草稿，请完善后送审，在 {Time(dueAt)} 前发布。",
        NoticeLink(noticeId));

    public static Text NoticeOverdue(string? caseNumber, Guid noticeId, int level, DateTimeOffset dueAt) => new(
        Title($"寻亲公告超时（{level} 级）", caseNumber),
        $"{Case(caseNumber)}的寻亲公告未在 {Time(dueAt)} 前发布（入站后 24 小时内），请立即处理。",
        NoticeLink(noticeId));

    public static Text PoliceRequestOverdue(string? caseNumber, Guid caseId, string kind, int level, DateTimeOffset dueAt) => new(
        Title($"公安协查超时（{level} 级）", caseNumber),
        $"{Case(caseNumber)}向公安机关提出的{PoliceRequestKinds.GetValueOrDefault(kind, "协查")}请求未在 {Time(dueAt)} 前得到答复，请跟进。",
        CaseLink(caseId));
}
