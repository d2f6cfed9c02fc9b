using Relief.Referral.Contracts;
using Relief.Registry.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Referral.Referrals;

/// <summary>Sends a referral to the county's relief station when the case's need is one the point cannot meet.</summary>
public sealed class PersonRecordedConsumer(UnitOfWorkFactory units, TimeProvider clock, ILogger<PersonRecordedConsumer> logger)
    : IdempotentConsumer<PersonRecorded>(units, logger)
{
    protected override string InboxName => "referral.person-recorded";

    private const string InsertReferral = """
        insert into referrals (id, case_id, person_id, county_code, service_point_code, receiving_station_county, status, sent_at, trace_id)
        values (@Id, @CaseId, @PersonId, @CountyCode, @ServicePointCode, @ReceivingStationCounty, 'sent', @SentAt, @TraceId)
        """;

    protected override void Handle(PersonRecorded message, UnitOfWork unit)
    {
        if (!ReferralPolicy.RequiresReferral(message.Need))
        {
            return;
        }

        var sent = new ReferralSent
        {
            ReferralId = Guid.CreateVersion7(),
            CaseId = message.CaseId,
            PersonId = message.PersonId,
            CountyCode = message.CountyCode,
            ReceivingStationCounty = ReferralPolicy.ReceivingStationCountyFor(message.CountyCode),
            SentAt = clock.GetUtcNow(),
        };

        unit.Write(InsertReferral, new
        {
            Id = sent.ReferralId,
            sent.CaseId,
            sent.PersonId,
            sent.CountyCode,
            message.ServicePointCode,
            sent.ReceivingStationCounty,
            sent.SentAt,
            TraceId = ReliefTelemetry.CurrentTraceId,
        });
        unit.Publish(sent);
    }
}
