using System.Text.RegularExpressions;
using Relief.ServiceDefaults;

namespace Relief.Referral.Classification;

/// <summary>
/// The codes rules are written in — Intake's (its CaseVocabulary, IdentityConfirmation and channels; a unit test keeps
/// the two the same) and the ledger's — each with its Chinese and English name for explanations.
/// </summary>
public static class FactVocabulary
{
    public static readonly IReadOnlyDictionary<string, (string Zh, string En)> IdentityStatuses = new Dictionary<string, (string, string)>
    {
        ["unconfirmed"] = ("待确认", "not yet confirmed"),
        ["id_card_checked"] = ("已核验身份证", "ID card checked"),
        ["police_check"] = ("公安核查", "police check"),
        ["relatives_confirmed"] = ("亲属确认", "confirmed by relatives"),
        ["self_declared"] = ("本人自述", "self-declared"),
        ["not_established"] = ("无法确认", "could not be established"),
    };

    public static readonly IReadOnlyDictionary<string, (string Zh, string En)> Situations = new Dictionary<string, (string, string)>
    {
        ["lost_documents"] = ("证件遗失", "lost documents"),
        ["lost_phone"] = ("手机遗失", "lost phone"),
        ["no_fare"] = ("无返乡路费", "no fare home"),
        ["homeless"] = ("无处居住", "homeless"),
        ["wandering"] = ("流浪", "wandering"),
        ["ill_or_injured"] = ("患病或受伤", "ill or injured"),
        ["elderly_alone"] = ("独自在外的老人", "elderly and alone"),
        ["minor"] = ("未成年人", "minor"),
        ["disabled"] = ("残疾", "disabled"),
        ["mental_distress"] = ("精神状况异常", "mental distress"),
        ["other"] = ("其他", "other"),
    };

    public static readonly IReadOnlyDictionary<string, (string Zh, string En)> Needs = new Dictionary<string, (string, string)>
    {
        ["food"] = ("食物", "food"),
        ["water"] = ("饮水", "water"),
        ["rest"] = ("休息", "rest"),
        ["travel_home"] = ("返乡", "travel home"),
        ["lodging"] = ("住宿", "lodging"),
        ["medical_care"] = ("医疗", "medical care"),
        ["family_search"] = ("寻亲", "family search"),
        ["clothing"] = ("衣物", "clothing"),
    };

    /// <summary>The relief category (救助类别) staff choose at registration, as Intake's records spell it.</summary>
    public static readonly IReadOnlyDictionary<string, (string Zh, string En)> Categories = new Dictionary<string, (string, string)>
    {
        ["Food"] = ("饮食", "food"),
        ["TravelVoucher"] = ("乘车凭证", "travel voucher"),
        ["Referral"] = ("转介", "referral"),
        ["Emergency"] = ("紧急", "emergency"),
    };

    /// <summary>Intake's channels, as its records spell them.</summary>
    public static readonly IReadOnlyDictionary<string, (string Zh, string En)> Channels = new Dictionary<string, (string, string)>
    {
        ["WalkIn"] = ("到服务点求助", "walk-in"),
        ["Hotline"] = ("救助热线", "hotline"),
        ["Outreach"] = ("街面巡查", "street outreach"),
        ["Police"] = ("公安移送", "handed over by police"),
    };

    /// <summary>Relief given at a point, as the ledger's kinds name it.</summary>
    public static readonly IReadOnlyList<string> ReliefKinds =
        ["food", "water", "travel_voucher", "lodging", "escort", "cash_fare", "clothing", "medical", "family_contact"];

    public static readonly IReadOnlyList<string> UrgentActions = ["hospital", "police", "child_protection"];

    public static readonly IReadOnlyList<string> ReferTargets = [Classifier.ReliefStation];

    public static readonly IReadOnlyList<string> Decisions = [Classifier.ReliefAtPoint, Classifier.Referral];
}

/// <summary>
/// Fills an explanation's placeholders with the facts, in the explanation's language: <c>{identityStatus}</c>,
/// <c>{age}</c>, <c>{situations}</c>, <c>{needs}</c>, <c>{channel}</c>, <c>{householdCounty}</c>.
/// </summary>
public static partial class Explanations
{
    public static readonly IReadOnlyList<string> Placeholders = ["identityStatus", "age", "situations", "needs", "channel", "householdCounty"];

    public static string Fill(string template, CaseFacts facts, bool chinese) => Placeholder().Replace(template, match =>
        match.Groups[1].Value switch
        {
            "identityStatus" => Name(FactVocabulary.IdentityStatuses, facts.IdentityStatus, chinese),
            "age" => facts.Age is { } age ? (chinese ? $"{age} 岁" : $"{age}") : Unknown(chinese),
            "situations" => List(FactVocabulary.Situations, facts.Situations, chinese),
            "needs" => List(FactVocabulary.Needs, facts.Needs, chinese),
            "channel" => Name(FactVocabulary.Channels, facts.Channel, chinese),
            "householdCounty" => facts.HouseholdCounty switch
            {
                null => Unknown(chinese),
                var code when chinese && YunchengCounties.Names.TryGetValue(code, out var name) => $"{name}（{code}）",
                var code => code,
            },
            _ => match.Value,
        });

    /// <summary>The placeholders a template names that <see cref="Fill"/> does not know.</summary>
    public static IEnumerable<string> UnknownPlaceholders(string template) =>
        Placeholder().Matches(template).Select(match => match.Groups[1].Value).Where(name => !Placeholders.Contains(name)).Distinct();

    private static string Name(IReadOnlyDictionary<string, (string Zh, string En)> names, string code, bool chinese) =>
        names.TryGetValue(code, out var name) ? (chinese ? name.Zh : name.En) : code;

    private static string List(IReadOnlyDictionary<string, (string Zh, string En)> names, IReadOnlyList<string> codes, bool chinese) =>
        codes.Count == 0 ? (chinese ? "无" : "none") : string.Join(chinese ? "、" : ", ", codes.Select(code => Name(names, code, chinese)));

    private static string Unknown(bool chinese) => chinese ? "不详" : "unknown";

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Placeholder();
}
