using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Intake.Referrals;

/// <summary>
/// Remembers which county's relief station a case was referred to: that station's staff may then read the case in full
/// (and no other station's staff may).
/// </summary>
public sealed class ReferralRequestedConsumer(UnitOfWorkFactory units, ILogger<ReferralRequestedConsumer> logger)
    : IdempotentConsumer<ReferralRequested>(units, logger)
{
    protected override string InboxName => "intake.referral-sent";

    private const string RecordReferral = "update cases set referred_to_station_county = @ReceivingStationCounty where id = @CaseId";

    // The case's timeline, as Referral reports it.
    private const string RecordInHistory = """
        insert into case_history (case_id, at, by, action, detail)
        select @CaseId, @SentAt, 'referral', 'referral_sent', jsonb_build_object('stationCounty', @ReceivingStationCounty::text)
        where exists (select 1 from cases where id = @CaseId)
        """;

    protected override void Handle(ReferralRequested message, UnitOfWork unit)
    {
        unit.Write(RecordReferral, new { message.ReceivingStationCounty, message.CaseId });
        unit.Write(RecordInHistory, new { message.CaseId, message.SentAt, message.ReceivingStationCounty });
    }
}
