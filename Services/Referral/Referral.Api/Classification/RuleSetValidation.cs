using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Relief.Referral.Classification;

/// <summary>A new version of the classification rules, as a city administrator posts it: the whole set, with why.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PublishRulesRequest(string? Comment, IReadOnlyList<ClassificationRule?>? Rules);

/// <summary>
/// Checks a rule set before it is kept: every error names its field as the client wrote it (<c>rules[2].priority</c>,
/// <c>rules[0].when.any[1].situationsAny</c>) and says what is wrong in Chinese and English. A set that passes can be
/// evaluated without surprises: codes unique, every code known to Intake or the ledger, outcomes consistent.
/// </summary>
public static partial class RuleSetValidation
{
    public const int MaxRules = 50;
    private const int MaxDepth = 3;

    public static Dictionary<string, string[]> Validate(PublishRulesRequest request)
    {
        var errors = new Errors();
        if (request.Comment is { Length: > 500 })
        {
            errors.Add("comment", "说明最长 500 字 / at most 500 characters");
        }

        if (request.Rules is null || request.Rules.Count == 0)
        {
            errors.Add("rules", "至少要有一条规则 / at least one rule is required");
            return errors.ToDictionary();
        }

        if (request.Rules.Count > MaxRules)
        {
            errors.Add("rules", $"最多 {MaxRules} 条规则 / at most {MaxRules} rules");
        }

        var codes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Rules.Count; i++)
        {
            var field = $"rules[{i}]";
            if (request.Rules[i] is not { } rule)
            {
                errors.Add(field, "规则不能为空 / a rule is required");
                continue;
            }

            ValidateRule(rule, field, errors);
            if (rule.Code is { } code && !codes.Add(code))
            {
                errors.Add($"{field}.code", $"规则编码 '{code}' 重复 / the code '{code}' is used by an earlier rule");
            }
        }

        return errors.ToDictionary();
    }

    private static void ValidateRule(ClassificationRule rule, string field, Errors errors)
    {
        if (string.IsNullOrEmpty(rule.Code))
        {
            errors.Add($"{field}.code", "请填写规则编码 / the code is required");
        }
        else if (!CodePattern().IsMatch(rule.Code))
        {
            errors.Add($"{field}.code", "规则编码为小写字母开头的小写字母、数字和下划线，最长 50 个字符 / lower-case letters, digits and underscores, starting with a letter, at most 50");
        }
        else if (rule.Code == Classifier.NoRuleMatchedCode)
        {
            errors.Add($"{field}.code", $"'{Classifier.NoRuleMatchedCode}' 留给没有规则适用的决定 / is kept for decisions no rule applies to");
        }

        if (rule.When is null || rule.When.IsEmpty)
        {
            errors.Add($"{field}.when", "请写明规则的条件 / the condition is required (a rule that always fires is not a rule)");
        }
        else
        {
            ValidateCondition(rule.When, $"{field}.when", 1, errors);
        }

        if (rule.Decision is null || !FactVocabulary.Decisions.Contains(rule.Decision))
        {
            errors.Add($"{field}.decision", OneOf("决定", "the decision", FactVocabulary.Decisions));
        }

        if (rule.ReferTo is not null && !FactVocabulary.ReferTargets.Contains(rule.ReferTo))
        {
            errors.Add($"{field}.referTo", OneOf("转介对象", "referTo", FactVocabulary.ReferTargets));
        }
        else if (rule.Decision == Classifier.Referral && rule.ReferTo is null)
        {
            errors.Add($"{field}.referTo", "转介须写明转介对象 / a referral names where it goes (relief_station)");
        }
        else if (rule.Decision == Classifier.ReliefAtPoint && rule.ReferTo is not null)
        {
            errors.Add($"{field}.referTo", "在服务点救助不转介 / relief at the point refers nowhere: leave referTo out");
        }

        if (rule.Priority is not null && !ReferralPriority.All.Contains(rule.Priority))
        {
            errors.Add($"{field}.priority", OneOf("紧急程度", "the priority", ReferralPriority.All));
        }
        else if (rule.Decision == Classifier.Referral && rule.Priority is null)
        {
            errors.Add($"{field}.priority", "转介须写明紧急程度 / a referral needs a priority: it sets how soon it must be accepted");
        }

        ValidateCodes(rule.ReliefAtPoint, $"{field}.reliefAtPoint", "救助项目", "relief", FactVocabulary.ReliefKinds, errors);
        ValidateCodes(rule.UrgentActions, $"{field}.urgentActions", "紧急措施", "urgent action", FactVocabulary.UrgentActions, errors);
        ValidateExplanation(rule.ExplanationZh, $"{field}.explanationZh", errors);
        ValidateExplanation(rule.ExplanationEn, $"{field}.explanationEn", errors);
    }

    private static void ValidateCondition(RuleCondition condition, string field, int depth, Errors errors)
    {
        ValidateCodes(condition.IdentityStatus, $"{field}.identityStatus", "身份确认方式", "identity status",
            [.. FactVocabulary.IdentityStatuses.Keys], errors, required: true);
        ValidateCodes(condition.SituationsAny, $"{field}.situationsAny", "情况", "situation", [.. FactVocabulary.Situations.Keys], errors, required: true);
        ValidateCodes(condition.NeedsAny, $"{field}.needsAny", "需要", "need", [.. FactVocabulary.Needs.Keys], errors, required: true);
        ValidateCodes(condition.Channel, $"{field}.channel", "求助方式", "channel", [.. FactVocabulary.Channels.Keys], errors, required: true);
        ValidateCodes(condition.Need, $"{field}.need", "救助类别", "relief category", [.. FactVocabulary.Categories.Keys], errors, required: true);
        foreach (var (name, age) in new[] { ("ageAtLeast", condition.AgeAtLeast), ("ageBelow", condition.AgeBelow) })
        {
            if (age is < 0 or > 150)
            {
                errors.Add($"{field}.{name}", "年龄应在 0 到 150 之间 / an age is between 0 and 150");
            }
        }

        if (condition is { AgeAtLeast: { } least, AgeBelow: { } below } && least >= below)
        {
            errors.Add($"{field}.ageBelow", "年龄范围为空：ageBelow 须大于 ageAtLeast / no age is at least ageAtLeast and below ageBelow");
        }

        if (condition.Any is null)
        {
            return;
        }

        if (condition.Any.Count == 0)
        {
            errors.Add($"{field}.any", "“任一”至少要有一个条件 / any needs at least one condition");
        }
        else if (depth >= MaxDepth)
        {
            errors.Add($"{field}.any", $"条件最多嵌套 {MaxDepth} 层 / conditions nest at most {MaxDepth} deep");
        }
        else
        {
            for (var i = 0; i < condition.Any.Count; i++)
            {
                if (condition.Any[i] is not { IsEmpty: false } alternative)
                {
                    errors.Add($"{field}.any[{i}]", "条件不能为空 / an empty condition would always hold");
                }
                else
                {
                    ValidateCondition(alternative, $"{field}.any[{i}]", depth + 1, errors);
                }
            }
        }
    }

    private static void ValidateCodes(IReadOnlyList<string>? codes, string field, string zh, string en, IReadOnlyList<string> known,
        Errors errors, bool required = false)
    {
        if (codes is null)
        {
            return;
        }

        if (required && codes.Count == 0)
        {
            errors.Add(field, $"至少要有一个{zh} / at least one {en} (or leave it out)");
        }

        foreach (var code in codes.Where(code => !known.Contains(code)).Distinct())
        {
            errors.Add(field, $"'{code}' 不是{zh}的编码，应为 {string.Join("、", known)} 之一 / '{code}' is not a {en}: one of {string.Join(", ", known)}");
        }
    }

    private static void ValidateExplanation(string? text, string field, Errors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(field, "请写明理由，工作人员和审计人员要看 / the explanation is required: staff and auditors read it");
            return;
        }

        if (text.Length > 500)
        {
            errors.Add(field, "理由最长 500 字 / at most 500 characters");
        }

        foreach (var unknown in Explanations.UnknownPlaceholders(text))
        {
            errors.Add(field, $"未知占位符 {{{unknown}}}，可用 {string.Join("、", Explanations.Placeholders.Select(p => $"{{{p}}}"))} / unknown placeholder {{{unknown}}}");
        }
    }

    private static string OneOf(string zh, string en, IReadOnlyList<string> values) =>
        $"{zh}为 {string.Join("、", values)} 之一 / {en} is one of {string.Join(", ", values)}";

    [GeneratedRegex("^[a-z][a-z0-9_]{0,49}$")]
    private static partial Regex CodePattern();

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> byField = [];

        public void Add(string field, string reason)
        {
            if (!byField.TryGetValue(field, out var reasons))
            {
                byField[field] = reasons = [];
            }

            reasons.Add(reason);
        }

        public Dictionary<string, string[]> ToDictionary() => byField.ToDictionary(entry => entry.Key, entry => entry.Value.ToArray());
    }
}
