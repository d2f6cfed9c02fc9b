using Relief.Notification.Copies;
using Relief.Notification.Templates;
using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Notification.DutyDesk;

/// <summary>Puts every referral on the receiving station's duty-desk feed, so nobody has to poll for hand-offs.</summary>
public sealed class ReferralRequestedConsumer(UnitOfWorkFactory units, DeskDirectory directory, TimeProvider clock, ILogger<ReferralRequestedConsumer> logger)
    : IdempotentConsumer<ReferralRequested>(units, logger)
{
    protected override string InboxName => "notification.referral-sent";

    /// <summary>
    /// The registering point, in case the referral's rejection arrives before the case's registration does (another
    /// queue): the case's copy is begun with it, and the registration completes it.
    /// </summary>
    private const string RememberRegisteringPoint = """
        insert into cases (case_id, county_code, service_point_code) values (@CaseId, @CountyCode, @ServicePointCode)
        on conflict (case_id) do nothing
        """;

    protected override async Task HandleAsync(ReferralRequested message, UnitOfWork unit, CancellationToken cancellationToken)
    {
        // Not waited for: a station must hear of a referral at once, numbered or not.
        var known = await directory.FindCaseAsync(message.CaseId, cancellationToken);
        var text = DeskTexts.ReferralRequested(known?.CaseNumber, message.ReferralId, message.Priority, message.AcceptBy);
        if (!string.IsNullOrEmpty(message.ServicePointCode))
        {
            unit.Write(RememberRegisteringPoint, new { message.CaseId, message.CountyCode, message.ServicePointCode });
        }

        DeskPost.Write(unit, new DeskItem
        {
            Id = Guid.CreateVersion7(),
            Kind = NotificationKinds.ReferralRequested,
            EventKey = $"{message.ReferralId}:{message.Sequence}",
            CaseId = message.CaseId,
            ReferralId = message.ReferralId,
            CountyCode = message.CountyCode,
            RecipientKind = OfficeKinds.ReliefStation,
            RecipientCounty = message.ReceivingStationCounty,
            CaseNumber = known?.CaseNumber,
            Title = text.Title,
            Message = text.Message,
            Link = text.Link,
            CreatedAt = clock.GetUtcNow(),
            TraceId = ReliefTelemetry.CurrentTraceId,
        });
    }
}
