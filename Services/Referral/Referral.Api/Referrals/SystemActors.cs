namespace Relief.Referral.Referrals;

/// <summary>
/// What Referral records as the actor of a change it made itself, not a user: the code kept in the <c>by</c> columns, and
/// the readable name stored beside it (as a user's name is) so that a page or an auditor reads who, not a code.
/// </summary>
public static class SystemActors
{
    /// <summary>A classification rule opened the referral (its code tells the rules' referrals from the ones staff sent).</summary>
    public static readonly Actor Classification = new("classification", "系统：分类规则 / system: classification rules", null);

    /// <summary>A deadline passed (the deadline watcher).</summary>
    public static readonly Actor Deadlines = new("system", "系统：时限 / system: deadlines", null);

    /// <summary>A re-classification withdrew a referral nobody had acted on, or made it more urgent.</summary>
    public static readonly Actor Reclassification = new("system", "系统：重新分类 / system: reclassification", null);
}

/// <summary>Who made a change, as history and ledger rows keep it: the subject for audit, the name and office to read.</summary>
public sealed record Actor(string Subject, string? Name, string? Office)
{
    public static Actor Of(Relief.ServiceDefaults.Authentication.ReliefUser user) => new(user.Subject, user.DisplayName, user.OfficeOrNull);
}
