namespace Relief.Referral.Contracts;

/// <summary>
/// The states of a referral, as <see cref="ReferralStatusChanged.Status"/> and every reader of referrals name them:
/// requested → accepted | rejected → in progress → completed | cancelled | transferred.
/// </summary>
public static class ReferralStatus
{
    public const string Requested = "requested";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Transferred = "transferred";

    /// <summary>The states in which a referral is still someone's to act on; a case has at most one such referral.</summary>
    public static readonly string[] Open = [Requested, Accepted, InProgress];
}
