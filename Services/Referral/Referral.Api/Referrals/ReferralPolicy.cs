using Relief.Intake.Contracts;

namespace Relief.Referral.Referrals;

/// <summary>分类救助: which needs are handed to the relief station and which are met at the point.</summary>
public static class ReferralPolicy
{
    /// <summary>
    /// Food and a travel voucher are given at the point; care, family search, medical help and placement need
    /// the relief station, and so does every emergency once hospital or police have been called.
    /// </summary>
    public static bool RequiresReferral(ReliefNeed need) => need is ReliefNeed.Referral or ReliefNeed.Emergency;

    /// <summary>Each county or district has one relief (management) station: the case's own county's receives it.</summary>
    public static string ReceivingStationCountyFor(string caseCountyCode) => caseCountyCode;
}
