using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Intake.Referrals;

/// <summary>
/// A referral sent to a county's relief station: in the case's timeline, and — unless a newer event of the referral is
/// already here — the case's current referral, whose station's staff may then read the case in full (and no other
/// station's staff may).
/// </summary>
public sealed class ReferralRequestedConsumer(UnitOfWorkFactory units, ILogger<ReferralRequestedConsumer> logger)
    : IdempotentConsumer<ReferralRequested>(units, logger)
{
    protected override string InboxName => "intake.referral-sent";

    protected override void Handle(ReferralRequested message, UnitOfWork unit) =>
        ReferralState.Record(unit, message, ReferralStatus.Requested, "referral_sent", new
        {
            referralId = message.ReferralId,
            stationCounty = message.ReceivingStationCounty,
            priority = message.Priority,
        });
}
