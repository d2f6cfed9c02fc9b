namespace Relief.Referral.Classification;

/// <summary>A rule that fired for a case, with its explanation filled in: what a decision records, and keeps.</summary>
public sealed record FiredRule(
    string Code,
    string ExplanationZh,
    string ExplanationEn,
    string? ReferTo,
    string? Priority,
    bool EscortRequired,
    IReadOnlyList<string> ReliefAtPoint,
    IReadOnlyList<string> UrgentActions);

/// <summary>What the rules decided for a case: the decision, its priority and every rule that fired.</summary>
public sealed record ClassificationOutcome(string Decision, string? Priority, IReadOnlyList<FiredRule> Fired)
{
    public IReadOnlyList<string> RuleCodes => [.. Fired.Select(rule => rule.Code)];

    public bool RequiresReferral => Decision == Classifier.Referral;

    /// <summary>
    /// The same outcome as an earlier decision: the same decision, priority and rules. Explanations are left out — the
    /// same rules fired on facts told differently (an age a year on) are the same decision.
    /// </summary>
    public bool SameAs(string decision, string? priority, IReadOnlyList<string> ruleCodes) =>
        Decision == decision && Priority == priority && RuleCodes.SequenceEqual(ruleCodes);
}

/// <summary>
/// 分类救助, as pure code: every rule whose condition holds for the facts fires, in the rule set's order. The decision is
/// a referral if any fired rule refers, relief at the point otherwise; the priority is the highest any fired rule
/// sets. A case no rule matches is helped at the point, and the decision says that no rule applied.
/// </summary>
public static class Classifier
{
    public const string ReliefAtPoint = "relief_at_point";
    public const string Referral = "referral";
    public const string ReliefStation = "relief_station";

    /// <summary>The rule a decision names when no rule of the set applied; no rule set may use its code.</summary>
    public const string NoRuleMatchedCode = "no_rule_matched";

    private static readonly FiredRule NoRuleMatched = new(
        NoRuleMatchedCode,
        "没有适用的分类规则：在服务点按需救助，由工作人员判断",
        "no classification rule applies: relief at the point as needed, as staff judge",
        ReferTo: null, Priority: null, EscortRequired: false, ReliefAtPoint: [], UrgentActions: []);

    public static ClassificationOutcome Classify(IReadOnlyList<ClassificationRule> rules, CaseFacts facts)
    {
        var holding = rules.Where(rule => rule.When is { } when && Holds(when, facts)).ToList();
        if (holding.Count == 0)
        {
            return new ClassificationOutcome(ReliefAtPoint, null, [NoRuleMatched]);
        }

        return new ClassificationOutcome(
            holding.Any(rule => rule.Decision == Referral) ? Referral : ReliefAtPoint,
            Highest(holding.Select(rule => rule.Priority)),
            [.. holding.Select(rule => Fire(rule, facts))]);
    }

    /// <summary>Whether a condition holds for the facts: every member given holds; <c>any</c> when one of its conditions does.</summary>
    public static bool Holds(RuleCondition condition, CaseFacts facts) =>
        (condition.IdentityStatus is not { } statuses || statuses.Contains(facts.IdentityStatus))
        && (condition.SituationsAny is not { } situations || situations.Any(facts.Situations.Contains))
        && (condition.NeedsAny is not { } needs || needs.Any(facts.Needs.Contains))
        && (condition.Channel is not { } channels || channels.Contains(facts.Channel))
        && (condition.DocumentGiven is not { } given || given == facts.DocumentGiven)
        && (condition.Need is not { } categories || categories.Contains(facts.Need))
        // An unknown age meets no bound: the situation "minor" or "elderly_alone" says what staff saw.
        && (condition.AgeAtLeast is not { } least || facts.Age >= least)
        && (condition.AgeBelow is not { } below || facts.Age < below)
        && (condition.Any is not { } any || any.Any(alternative => Holds(alternative, facts)));

    /// <summary>The most urgent of the priorities (urgent, high, normal), or null when none is set.</summary>
    public static string? Highest(IEnumerable<string?> priorities) =>
        priorities.Where(priority => priority is not null)
            .OrderBy(priority => Array.IndexOf(ReferralPriority.All, priority))
            .FirstOrDefault();

    private static FiredRule Fire(ClassificationRule rule, CaseFacts facts) => new(
        rule.Code!,
        Explanations.Fill(rule.ExplanationZh!, facts, chinese: true),
        Explanations.Fill(rule.ExplanationEn!, facts, chinese: false),
        rule.ReferTo,
        rule.Priority,
        rule.EscortRequired,
        rule.ReliefAtPoint ?? [],
        rule.UrgentActions ?? []);
}
