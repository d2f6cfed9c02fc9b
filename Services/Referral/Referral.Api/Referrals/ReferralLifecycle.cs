using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Referral.Referrals;

/// <summary>
/// The referral lifecycle, in one place: which action leads from which states to which. Every change of a referral
/// goes through <see cref="Find"/>; anything else answers 409 with <see cref="ActionsFrom"/>.
/// </summary>
public static class ReferralLifecycle
{
    public sealed record Transition(string Action, IReadOnlyList<string> From, string To);

    public static readonly IReadOnlyList<Transition> Transitions =
    [
        new("accept", [ReferralStatus.Requested], ReferralStatus.Accepted),
        new("reject", [ReferralStatus.Requested], ReferralStatus.Rejected),
        new("start", [ReferralStatus.Accepted], ReferralStatus.InProgress),
        new("complete", [ReferralStatus.Accepted, ReferralStatus.InProgress], ReferralStatus.Completed),
        new("cancel", ReferralStatus.Open, ReferralStatus.Cancelled),
        new("transfer", ReferralStatus.Open, ReferralStatus.Transferred),
        // Reopening needs an audit comment; it fails (409) while the case has another open referral.
        new("reopen", [ReferralStatus.Completed, ReferralStatus.Cancelled], ReferralStatus.InProgress),
    ];

    public static Transition? Find(string action) => Transitions.FirstOrDefault(t => t.Action == action);

    /// <summary>The actions allowed from a state, for a 409's body and for the pages' buttons.</summary>
    public static IReadOnlyList<string> ActionsFrom(string status) =>
        [.. Transitions.Where(t => t.From.Contains(status)).Select(t => t.Action)];

    /// <summary>
    /// Who may take each action, each within their scope: the receiving station works the referral (the city may step in);
    /// the sender — the point — and the county may call it off; the station or the county may reopen it.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> Actors = new Dictionary<string, string[]>
    {
        ["accept"] = [ReliefRoles.StationStaff, ReliefRoles.CityAdministrator],
        ["reject"] = [ReliefRoles.StationStaff, ReliefRoles.CityAdministrator],
        ["start"] = [ReliefRoles.StationStaff, ReliefRoles.CityAdministrator],
        ["complete"] = [ReliefRoles.StationStaff, ReliefRoles.CityAdministrator],
        ["transfer"] = [ReliefRoles.StationStaff, ReliefRoles.CityAdministrator],
        ["cancel"] = [ReliefRoles.PointStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator],
        ["reopen"] = [ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator],
    };

    /// <summary>The actions a user of <paramref name="role"/> may take on a referral in <paramref name="status"/>.</summary>
    public static IReadOnlyList<string> ActionsFor(string status, string role) =>
        [.. ActionsFrom(status).Where(action => Actors[action].Contains(role))];

    /// <summary>Coded reasons a station may reject a referral for.</summary>
    public static readonly string[] RejectReasons = ["not_in_area", "no_capacity", "not_eligible", "duplicate", "other"];

    /// <summary>
    /// Coded outcomes of a completed referral (how the person left relief, as the national rules list them), and what
    /// each must be recorded with.
    /// </summary>
    public static readonly string[] Outcomes =
    [
        "returned_home", "collected_by_relatives", "escorted_home", "placed", "hospitalised", "handed_to_police",
        "left_of_own_accord", "relief_terminated",
    ];
}
