using Relief.Notification.Copies;
using Relief.Notification.Templates;
using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Notification.DutyDesk;

/// <summary>
/// A new case the rules say cannot wait — classified urgent, or a minor (the child-protection rule: child protection and
/// police at once) — is put on the county office's desk at once, before any referral is accepted or overdue. Once per
/// case: a classification again (an update, an identity confirmed) tells nobody twice.
/// </summary>
public sealed class CaseClassifiedConsumer(UnitOfWorkFactory units, DeskDirectory directory, TimeProvider clock, ILogger<CaseClassifiedConsumer> logger)
    : IdempotentConsumer<CaseClassified>(units, logger)
{
    protected override string InboxName => "notification.case-classified";

    /// <summary>The rule (Referral's classification rules) that hands a minor to child protection and the police.</summary>
    public const string ChildProtectionRule = "child_protection_and_police";

    public static bool IsUrgent(CaseClassified classified, out bool childProtection)
    {
        childProtection = classified.Rules.Contains(ChildProtectionRule);
        return childProtection || classified.Priority == "urgent";
    }

    protected override async Task HandleAsync(CaseClassified message, UnitOfWork unit, CancellationToken cancellationToken)
    {
        if (!IsUrgent(message, out var childProtection))
        {
            return;
        }

        var known = await directory.FindCaseAsync(message.CaseId, cancellationToken);
        var text = DeskTexts.UrgentCase(known?.CaseNumber, message.CaseId, childProtection);
        DeskPost.Write(unit, new DeskItem
        {
            Id = Guid.CreateVersion7(),
            Kind = NotificationKinds.UrgentCase,
            EventKey = $"{message.CaseId}:urgent_case",
            CaseId = message.CaseId,
            CountyCode = message.CountyCode,
            RecipientKind = OfficeKinds.CountyOffice,
            RecipientCounty = message.CountyCode,
            CaseNumber = known?.CaseNumber,
            Title = text.Title,
            Message = text.Message,
            Link = text.Link,
            CreatedAt = clock.GetUtcNow(),
            TraceId = ReliefTelemetry.CurrentTraceId,
        });
    }
}
