using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Notification.DutyDesk;

/// <summary>Puts every referral on the receiving station's duty-desk feed, so nobody has to poll for hand-offs.</summary>
public sealed class ReferralRequestedConsumer(UnitOfWorkFactory units, TimeProvider clock, ILogger<ReferralRequestedConsumer> logger)
    : IdempotentConsumer<ReferralRequested>(units, logger)
{
    protected override string InboxName => "notification.referral-sent";

    private const string InsertNotification = """
        insert into notifications (id, referral_id, case_id, county_code, recipient_kind, recipient_county, channel, message, created_at, trace_id, kind)
        values (@Id, @ReferralId, @CaseId, @CountyCode, 'relief_station', @RecipientCounty, 'duty_desk_feed', @Message, @CreatedAt, @TraceId, 'referral_requested')
        """;

    protected override void Handle(ReferralRequested message, UnitOfWork unit) =>
        unit.Write(InsertNotification, new
        {
            Id = Guid.CreateVersion7(),
            message.ReferralId,
            message.CaseId,
            message.CountyCode,
            RecipientCounty = message.ReceivingStationCounty,
            // Ids only: the duty desk opens the case in Relief to see who it is.
            Message = $"New referral {message.ReferralId} for case {message.CaseId} (county {message.CountyCode}); accept or reject it.",
            CreatedAt = clock.GetUtcNow(),
            TraceId = ReliefTelemetry.CurrentTraceId,
        });
}
