using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Intake.Referrals;

/// <summary>
/// Remembers which county's relief station a case was referred to: that station's staff may then read the case in full
/// (and no other station's staff may).
/// </summary>
public sealed class ReferralSentConsumer(UnitOfWorkFactory units, ILogger<ReferralSentConsumer> logger)
    : IdempotentConsumer<ReferralSent>(units, logger)
{
    protected override string InboxName => "intake.referral-sent";

    private const string RecordReferral = "update cases set referred_to_station_county = @ReceivingStationCounty where id = @CaseId";

    protected override void Handle(ReferralSent message, UnitOfWork unit) =>
        unit.Write(RecordReferral, new { message.ReceivingStationCounty, message.CaseId });
}
