using System.Globalization;
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
public sealed class ReferralOverdueConsumer(UnitOfWorkFactory units, TimeProvider clock, ILogger<ReferralOverdueConsumer> logger)
    : IdempotentConsumer<ReferralOverdue>(units, logger)
{
    protected override string InboxName => "notification.referral-overdue";

    // One notification per deadline, level and desk, whatever carries the same overdue twice.
    private const string InsertNotification = """
        insert into notifications (id, referral_id, case_id, county_code, recipient_kind, recipient_county, channel, message,
                                   created_at, trace_id, kind, deadline_kind, level)
        values (@Id, @ReferralId, @CaseId, @CountyCode, @RecipientKind, @RecipientCounty, 'duty_desk_feed', @Message,
                @CreatedAt, @TraceId, 'referral_overdue', @DeadlineKind, @Level)
        on conflict do nothing
        """;

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

    protected override void Handle(ReferralOverdue message, UnitOfWork unit)
    {
        var due = message.DueAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        // Ids only: the desk opens the referral in Relief to see who it is.
        var what = message.Kind == "care_days"
            ? $"has stayed past its care days (due {due}) without an approved extension"
            : $"was not accepted by {due}";
        var text = $"Overdue (level {message.Level}): referral {message.ReferralId} for case {message.CaseId} "
            + $"(county {message.CountyCode}, station of {message.ReceivingStationCounty}) {what}.";
        foreach (var (kind, county) in DesksFor(message))
        {
            unit.Write(InsertNotification, new
            {
                Id = Guid.CreateVersion7(),
                message.ReferralId,
                message.CaseId,
                message.CountyCode,
                RecipientKind = kind,
                RecipientCounty = county,
                Message = text,
                CreatedAt = clock.GetUtcNow(),
                TraceId = ReliefTelemetry.CurrentTraceId,
                DeadlineKind = message.Kind,
                message.Level,
            });
        }
    }
}
