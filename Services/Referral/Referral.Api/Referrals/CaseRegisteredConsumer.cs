using Relief.Intake.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Referral.Referrals;

/// <summary>
/// Sends a referral to the county's relief station when the case's need is one the point cannot meet. Decides from the
/// registered case itself, so nothing but Intake and the bus stands between a case and its station.
/// </summary>
public sealed class CaseRegisteredConsumer(UnitOfWorkFactory units, ReferralOpening opening, ILogger<CaseRegisteredConsumer> logger)
    : IdempotentConsumer<CaseRegistered>(units, logger)
{
    // A new inbox name: the messages this consumer sees are CaseRegistered, not the PersonRecorded of before.
    protected override string InboxName => "referral.case-registered";

    private const string RememberCase = """
        insert into cases (id, county_code, service_point_code, registered_at)
        values (@CaseId, @CountyCode, @ServicePointCode, @RegisteredAt)
        on conflict (id) do nothing
        """;

    protected override void Handle(CaseRegistered message, UnitOfWork unit)
    {
        unit.Write(RememberCase, new { message.CaseId, message.CountyCode, message.ServicePointCode, message.RegisteredAt });
        if (!ReferralPolicy.RequiresReferral(message.Need))
        {
            return;
        }

        opening.Open(unit, new NewReferral(message.CaseId, message.CountyCode, message.ServicePointCode,
            ReferralPolicy.ReceivingStationCountyFor(message.CountyCode),
            message.Need == ReliefNeed.Emergency ? ReferralPriority.Urgent : ReferralPriority.High));
    }
}
