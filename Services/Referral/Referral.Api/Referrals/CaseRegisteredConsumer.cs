using Relief.Intake.Contracts;
using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Referral.Referrals;

/// <summary>
/// Sends a referral to the county's relief station when the case's need is one the point cannot meet. Decides from the
/// registered case itself, so nothing but Intake and the bus stands between a case and its station.
/// </summary>
public sealed class CaseRegisteredConsumer(UnitOfWorkFactory units, TimeProvider clock, ILogger<CaseRegisteredConsumer> logger)
    : IdempotentConsumer<CaseRegistered>(units, logger)
{
    // A new inbox name: the messages this consumer sees are CaseRegistered, not the PersonRecorded of before.
    protected override string InboxName => "referral.case-registered";

    private const string InsertReferral = """
        insert into referrals (id, case_id, county_code, service_point_code, receiving_station_county, status, sent_at, trace_id)
        values (@Id, @CaseId, @CountyCode, @ServicePointCode, @ReceivingStationCounty, 'sent', @SentAt, @TraceId)
        """;

    protected override void Handle(CaseRegistered message, UnitOfWork unit)
    {
        if (!ReferralPolicy.RequiresReferral(message.Need))
        {
            return;
        }

        var sent = new ReferralSent
        {
            ReferralId = Guid.CreateVersion7(),
            CaseId = message.CaseId,
            CountyCode = message.CountyCode,
            ReceivingStationCounty = ReferralPolicy.ReceivingStationCountyFor(message.CountyCode),
            SentAt = clock.GetUtcNow(),
        };

        unit.Write(InsertReferral, new
        {
            Id = sent.ReferralId,
            sent.CaseId,
            sent.CountyCode,
            message.ServicePointCode,
            sent.ReceivingStationCounty,
            sent.SentAt,
            TraceId = ReliefTelemetry.CurrentTraceId,
        });
        unit.Publish(sent);
    }
}
