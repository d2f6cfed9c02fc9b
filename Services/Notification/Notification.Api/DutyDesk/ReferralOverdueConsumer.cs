using Relief.Notification.Copies;
using Relief.Notification.Templates;
using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Notification.DutyDesk;

/// <summary>
/// A referral's deadline passed (not accepted in time, or a stay past its care days): the receiving station's duty desk
/// is told at every level; from the second level the county office that runs that station too, from the third the city
/// bureau — each escalation reaches further, so a stalled hand-off cannot stay one desk's secret.
/// </summary>
public sealed class ReferralOverdueConsumer(UnitOfWorkFactory units, DeskDirectory directory, TimeProvider clock, ILogger<ReferralOverdueConsumer> logger)
    : IdempotentConsumer<ReferralOverdue>(units, logger)
{
    protected override string InboxName => "notification.referral-overdue";

    /// <summary>The desks an overdue of this level goes to: (kind of office, its county).</summary>
    public static IReadOnlyList<(string Kind, string County)> DesksFor(ReferralOverdue overdue)
    {
        var desks = new List<(string, string)> { (OfficeKinds.ReliefStation, overdue.ReceivingStationCounty) };
        if (overdue.Level >= 2)
        {
            desks.Add((OfficeKinds.CountyOffice, overdue.ReceivingStationCounty));
        }

        if (overdue.Level >= 3)
        {
            // GB/T 2260: a county's first four digits are its prefecture; the city bureau's code ends in 00 (140802 → 140800).
            desks.Add((OfficeKinds.CityBureau, overdue.ReceivingStationCounty[..4] + "00"));
        }

        return desks;
    }

    protected override async Task HandleAsync(ReferralOverdue message, UnitOfWork unit, CancellationToken cancellationToken)
    {
        var known = await directory.FindCaseAsync(message.CaseId, cancellationToken);
        var text = DeskTexts.ReferralOverdue(known?.CaseNumber, message.ReferralId, message.Kind, message.Level, message.DueAt);
        // One item per deadline, level and desk, whatever carries the same overdue twice.
        var eventKey = $"{message.ReferralId}:overdue:{message.Kind}:{message.Level}";
        foreach (var (kind, county) in DesksFor(message))
        {
            DeskPost.Write(unit, new DeskItem
            {
                Id = Guid.CreateVersion7(),
                Kind = NotificationKinds.ReferralOverdue,
                EventKey = eventKey,
                CaseId = message.CaseId,
                ReferralId = message.ReferralId,
                CountyCode = message.CountyCode,
                RecipientKind = kind,
                RecipientCounty = county,
                CaseNumber = known?.CaseNumber,
                Title = text.Title,
                Message = text.Message,
                Link = text.Link,
                CreatedAt = clock.GetUtcNow(),
                TraceId = ReliefTelemetry.CurrentTraceId,
                DeadlineKind = message.Kind,
                Level = message.Level,
            });
        }
    }
}
