using Relief.FamilySearch.Contracts;
using Relief.Notification.Copies;
using Relief.Notification.Templates;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Notification.DutyDesk;

/// <summary>
/// Family search's deadlines on the desks (寻亲, issue 13): a drafted notice to the station that must publish it within
/// 24 hours; an overdue notice or police request to that station at every level and, from the second, also to the county
/// office that runs it. The texts name the case by its number — never the person, a description or a place.
/// </summary>
public static class FamilySearchDesks
{
    /// <summary>The desks an overdue of this level goes to: the station's, and from level 2 the county office's.</summary>
    public static IReadOnlyList<(string Kind, string County)> DesksFor(string stationCounty, int level) =>
        level >= 2
            ? [(OfficeKinds.ReliefStation, stationCounty), (OfficeKinds.CountyOffice, stationCounty)]
            : [(OfficeKinds.ReliefStation, stationCounty)];

    internal static DeskItem Item(string kind, string eventKey, Guid caseId, string countyCode, (string Kind, string County) desk,
        string? caseNumber, DeskTexts.Text text, DateTimeOffset now, string? deadlineKind = null, int? level = null) => new()
    {
        Id = Guid.CreateVersion7(),
        Kind = kind,
        EventKey = eventKey,
        CaseId = caseId,
        CountyCode = countyCode,
        RecipientKind = desk.Kind,
        RecipientCounty = desk.County,
        CaseNumber = caseNumber,
        Title = text.Title,
        Message = text.Message,
        Link = text.Link,
        CreatedAt = now,
        TraceId = ReliefTelemetry.CurrentTraceId,
        DeadlineKind = deadlineKind,
        Level = level,
    };
}

/// <summary>寻亲公告待拟: the station's desk hears of every notice drafted for it, with its deadline.</summary>
public sealed class NoticeDraftedConsumer(UnitOfWorkFactory units, DeskDirectory directory, TimeProvider clock, ILogger<NoticeDraftedConsumer> logger)
    : IdempotentConsumer<NoticeDrafted>(units, logger)
{
    protected override string InboxName => "notification.notice-drafted";

    protected override async Task HandleAsync(NoticeDrafted message, UnitOfWork unit, CancellationToken cancellationToken)
    {
        var known = await directory.FindCaseAsync(message.CaseId, cancellationToken);
        var text = DeskTexts.NoticeDrafted(known?.CaseNumber, message.NoticeId, message.DueAt);
        DeskPost.Write(unit, FamilySearchDesks.Item(NotificationKinds.NoticeDrafted, $"{message.NoticeId}:drafted", message.CaseId,
            message.CountyCode, (OfficeKinds.ReliefStation, message.StationCounty), known?.CaseNumber, text, clock.GetUtcNow()));
    }
}

public sealed class NoticeOverdueConsumer(UnitOfWorkFactory units, DeskDirectory directory, TimeProvider clock, ILogger<NoticeOverdueConsumer> logger)
    : IdempotentConsumer<NoticeOverdue>(units, logger)
{
    protected override string InboxName => "notification.notice-overdue";

    protected override async Task HandleAsync(NoticeOverdue message, UnitOfWork unit, CancellationToken cancellationToken)
    {
        var known = await directory.FindCaseAsync(message.CaseId, cancellationToken);
        var text = DeskTexts.NoticeOverdue(known?.CaseNumber, message.NoticeId, message.Level, message.DueAt);
        // One item per notice, level and desk, whatever carries the same overdue twice.
        var eventKey = $"{message.NoticeId}:overdue:notice:{message.Level}";
        foreach (var desk in FamilySearchDesks.DesksFor(message.StationCounty, message.Level))
        {
            DeskPost.Write(unit, FamilySearchDesks.Item(NotificationKinds.NoticeOverdue, eventKey, message.CaseId, message.CountyCode,
                desk, known?.CaseNumber, text, clock.GetUtcNow(), "notice", message.Level));
        }
    }
}

public sealed class PoliceRequestOverdueConsumer(UnitOfWorkFactory units, DeskDirectory directory, TimeProvider clock, ILogger<PoliceRequestOverdueConsumer> logger)
    : IdempotentConsumer<PoliceRequestOverdue>(units, logger)
{
    protected override string InboxName => "notification.police-request-overdue";

    protected override async Task HandleAsync(PoliceRequestOverdue message, UnitOfWork unit, CancellationToken cancellationToken)
    {
        var known = await directory.FindCaseAsync(message.CaseId, cancellationToken);
        var text = DeskTexts.PoliceRequestOverdue(known?.CaseNumber, message.CaseId, message.Kind, message.Level, message.DueAt);
        var eventKey = $"{message.RequestId}:overdue:{message.Kind}:{message.Level}";
        foreach (var desk in FamilySearchDesks.DesksFor(message.StationCounty, message.Level))
        {
            DeskPost.Write(unit, FamilySearchDesks.Item(NotificationKinds.PoliceRequestOverdue, eventKey, message.CaseId, message.CountyCode,
                desk, known?.CaseNumber, text, clock.GetUtcNow(), message.Kind, message.Level));
        }
    }
}
