using Relief.ServiceDefaults.Authentication;

namespace Relief.FamilySearch.Notices;

/// <summary>
/// What family search records as the actor of a change it made itself, not a user: the code kept in the <c>by</c> columns
/// and the readable name beside it, so a page or an auditor reads who, not a code.
/// </summary>
public static class NoticeActors
{
    /// <summary>A notice drafted on a referral accepted, or withdrawn on the person identified or gone.</summary>
    public static readonly ReliefUser System = new("system", "system", "", "", Name: "系统：寻亲 / system: family search");

    /// <summary>A deadline passed (the deadline watcher).</summary>
    public static readonly ReliefUser Deadlines = new("system", "system", "", "", Name: "系统：时限 / system: deadlines");
}
