using Relief.Notification.Copies;
using Relief.Notification.Templates;
using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Notification.DutyDesk;

/// <summary>
/// The point that registered a case hears how its referral ended: a rejection (with the station's reason, so it can
/// find another way) or the completion. Its desk is found from the local copy of the case — begun by the referral's
/// request, completed by the case's registration — and the copies of offices and points.
/// </summary>
public static class RegisteringPoint
{
    /// <summary>
    /// The desk of the point that registered the case. Neither the case's registration nor its referral's request has
    /// arrived yet (other queues, which RabbitMQ does not order against this one): the message waits for them, retried
    /// like an outage, and is never dropped.
    /// </summary>
    public static async Task<DeskDirectory.KnownCase> DeskOfAsync(DeskDirectory directory, IReferralEvent referral, CancellationToken cancellationToken) =>
        await directory.FindCaseAsync(referral.CaseId, cancellationToken)
            ?? throw new NotYetArrivedException($"The point that registered case {referral.CaseId} is not known here yet.");

    public static DeskItem Item(DeskDirectory.KnownCase known, IReferralEvent referral, string kind, DeskTexts.Text text, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        Kind = kind,
        EventKey = $"{referral.ReferralId}:{referral.Sequence}",
        CaseId = referral.CaseId,
        ReferralId = referral.ReferralId,
        CountyCode = referral.CountyCode,
        RecipientKind = known.OfficeKind,
        RecipientCounty = known.OfficeCounty,
        RecipientOffice = known.ServicePointCode,
        CaseNumber = known.CaseNumber,
        Title = text.Title,
        Message = text.Message,
        Link = text.Link,
        CreatedAt = now,
        TraceId = ReliefTelemetry.CurrentTraceId,
    };
}

/// <summary>The station refused the referral: the registering point must find another way, and is told why.</summary>
public sealed class ReferralRejectedConsumer(UnitOfWorkFactory units, DeskDirectory directory, TimeProvider clock, ILogger<ReferralRejectedConsumer> logger)
    : IdempotentConsumer<ReferralRejected>(units, logger)
{
    protected override string InboxName => "notification.referral-rejected";

    protected override async Task HandleAsync(ReferralRejected message, UnitOfWork unit, CancellationToken cancellationToken)
    {
        var known = await RegisteringPoint.DeskOfAsync(directory, message, cancellationToken);
        var text = DeskTexts.ReferralRejected(known.CaseNumber, message.CaseId, message.Reason);
        DeskPost.Write(unit, RegisteringPoint.Item(known, message, NotificationKinds.ReferralRejected, text, clock.GetUtcNow()));
    }
}

/// <summary>The station completed the referral: the registering point hears its case is closed.</summary>
public sealed class ReferralCompletedConsumer(UnitOfWorkFactory units, DeskDirectory directory, TimeProvider clock, ILogger<ReferralCompletedConsumer> logger)
    : IdempotentConsumer<ReferralCompleted>(units, logger)
{
    protected override string InboxName => "notification.referral-completed";

    protected override async Task HandleAsync(ReferralCompleted message, UnitOfWork unit, CancellationToken cancellationToken)
    {
        var known = await RegisteringPoint.DeskOfAsync(directory, message, cancellationToken);
        var text = DeskTexts.ReferralCompleted(known.CaseNumber, message.CaseId);
        DeskPost.Write(unit, RegisteringPoint.Item(known, message, NotificationKinds.ReferralCompleted, text, clock.GetUtcNow()));
    }
}
