using Relief.Referral.Contracts;
using Relief.Referral.Referrals;

namespace Relief.Referral.Classification;

/// <summary>
/// What a new decision does with the case's open referral, as the decision records it (<c>open_referral_effect</c>).
/// The rules change only what nobody has acted on yet: a referral the rules sent and the station has not accepted.
/// Whatever people have taken in hand — the station accepted it, staff sent it again or a station passed it on — stays
/// as it is, and the decision says that it differs: the station (or staff) decide.
/// </summary>
public static class OpenReferralEffect
{
    /// <summary>Cancelled by the system: no rule of the new decision refers (an identity confirmed: relief at the point).</summary>
    public const string Withdrawn = "withdrawn";

    /// <summary>The new decision is a referral more urgent than the one waiting: its priority raised, its deadline brought forward.</summary>
    public const string PriorityRaised = "priority_raised";

    /// <summary>Left as it is though the new decision differs from it: those working it decide.</summary>
    public const string Differs = "differs";

    /// <summary>
    /// The effect of <paramref name="outcome"/> on an open referral in <paramref name="status"/> at
    /// <paramref name="priority"/>; null when they agree (a referral, as urgent as the decision).
    /// </summary>
    /// <remarks>
    /// Withdrawn only when no fired rule refers: a referral staff chose at registration (the rule
    /// <c>referral_chosen_by_staff</c>) still fires after the identity is confirmed, so a confirmation never undoes it.
    /// A less urgent decision leaves the priority as it is: an acceptance deadline once set is not relaxed by the rules.
    /// </remarks>
    public static string? Of(ClassificationOutcome outcome, string status, string priority, bool openedByRules)
    {
        var waiting = status == ReferralStatus.Requested;
        if (outcome.Fired.All(rule => rule.ReferTo is null) && !outcome.RequiresReferral)
        {
            return waiting && openedByRules ? Withdrawn : Differs;
        }

        var wanted = outcome.Priority ?? ReferralPriority.Normal;
        if (wanted == priority)
        {
            return null;
        }

        return waiting && Classifier.Highest([wanted, priority]) == wanted ? PriorityRaised : Differs;
    }
}
