using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relief.Referral.Classification;

/// <summary>
/// One rule of classified relief (分类救助), as data: when its condition holds for a case's facts it fires, with its
/// outcome and its explanation (Chinese and English, the facts filled in). Every rule that holds fires; see
/// <see cref="Classifier"/> for how their outcomes combine. Members are nullable because a posted rule set is read
/// before it is validated (<see cref="RuleSetValidation"/>); a stored one has passed.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ClassificationRule
{
    /// <summary>Stable name of the rule (snake_case): what a decision records and <c>CaseClassified</c> carries.</summary>
    public string? Code { get; init; }

    public RuleCondition? When { get; init; }

    /// <summary>relief_at_point or referral.</summary>
    public string? Decision { get; init; }

    /// <summary>relief_station (the case's county's 救助管理站) for a referral; null otherwise.</summary>
    public string? ReferTo { get; init; }

    /// <summary>urgent, high or normal: required for a referral (it sets how soon it must be accepted).</summary>
    public string? Priority { get; init; }

    /// <summary>Never sent off alone: collected by relatives or escorted (护送).</summary>
    public bool EscortRequired { get; init; }

    /// <summary>Relief to give at the point, as the ledger names it: food, water, travel_voucher, lodging …</summary>
    public IReadOnlyList<string>? ReliefAtPoint { get; init; }

    /// <summary>What must happen at once, before anything else: hospital, police, child_protection.</summary>
    public IReadOnlyList<string>? UrgentActions { get; init; }

    /// <summary>Why, in words staff and auditors read; <c>{identityStatus}</c>, <c>{age}</c> … are filled in from the facts.</summary>
    public string? ExplanationZh { get; init; }

    public string? ExplanationEn { get; init; }
}

/// <summary>
/// When a rule fires. Every member given must hold (and); <see cref="Any"/> holds when one of its conditions does (or).
/// A member left out does not constrain (and is left out when written). An unknown age meets no age bound.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RuleCondition
{
    /// <summary>The identity status is one of these (unconfirmed, id_card_checked, police_check, relatives_confirmed, self_declared, not_established).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? IdentityStatus { get; init; }

    /// <summary>At least one of these situations was recorded.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? SituationsAny { get; init; }

    /// <summary>At least one of these needs was recorded.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? NeedsAny { get; init; }

    /// <summary>The case came in by one of these channels (WalkIn, Hotline, Outreach, Police).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Channel { get; init; }

    /// <summary>
    /// An identity document was given (true) or not (false): a person who gave one but is not yet checked is awaited,
    /// not referred as unidentified.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DocumentGiven { get; init; }

    /// <summary>The relief category staff chose at registration is one of these (Food, TravelVoucher, Referral, Emergency).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Need { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? AgeAtLeast { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? AgeBelow { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<RuleCondition>? Any { get; init; }

    [JsonIgnore]
    public bool IsEmpty => IdentityStatus is null && SituationsAny is null && NeedsAny is null && Channel is null
        && DocumentGiven is null && Need is null && AgeAtLeast is null && AgeBelow is null && Any is null;
}

/// <summary>How rules are written to and read from <c>rule_sets.rules</c> (jsonb): camelCase, what is not set left out.</summary>
public static class RuleJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IReadOnlyList<ClassificationRule> Read(string json) =>
        JsonSerializer.Deserialize<IReadOnlyList<ClassificationRule>>(json, Options)
        ?? throw new InvalidOperationException("A rule set is a JSON array of rules.");

    public static string Write(IReadOnlyList<ClassificationRule> rules) => JsonSerializer.Serialize(rules, Options);
}
