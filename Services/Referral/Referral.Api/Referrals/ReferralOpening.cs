using Microsoft.Extensions.Options;
using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Referral.Referrals;

/// <summary>
/// What a new referral needs to know: whose case, from where, to which county's station, how urgent; and who opened it —
/// the user's subject (or <see cref="SystemActors"/>' code) with the name and office to show for it.
/// </summary>
public sealed record NewReferral(
    Guid CaseId, string CountyCode, string ServicePointCode, string ReceivingStationCounty, string Priority,
    Guid? ClassificationId, Actor By, Guid? TransferredFrom = null,
    /// <summary>Why staff sent it again (a re-referral) or on (a transfer), for the history.</summary>
    string? Comment = null);

/// <summary>
/// Opens a referral (转介) in a unit of work: the referral, its first history entry, its acceptance deadline and the
/// <see cref="ReferralRequested"/> event, all or nothing. The one way a referral comes to be — by classification, by a
/// re-referral after a rejection, or by a transfer.
/// </summary>
public sealed class ReferralOpening(IOptionsMonitor<ReferralOptions> options, TimeProvider clock)
{
    private const string InsertReferral = """
        insert into referrals (id, case_id, county_code, service_point_code, receiving_station_county, status, sent_at,
                               trace_id, version, priority, classification_id, accept_by, transferred_from, updated_at)
        values (@Id, @CaseId, @CountyCode, @ServicePointCode, @ReceivingStationCounty, 'requested', @SentAt,
                @TraceId, 1, @Priority, @ClassificationId, @AcceptBy, @TransferredFrom, @SentAt)
        """;

    private const string InsertHistory = """
        insert into referral_history (referral_id, version, at, by, by_name, by_office, action, from_status, to_status, detail)
        values (@Id, 1, @SentAt, @By, @ByName, @ByOffice, 'request', null, 'requested',
                jsonb_strip_nulls(jsonb_build_object('priority', @Priority::text, 'stationCounty', @ReceivingStationCounty::text,
                                                     'transferredFrom', @TransferredFrom::uuid, 'comment', @Comment::text)))
        """;

    private const string InsertDeadline = """
        insert into deadlines (id, referral_id, kind, level, due_at) values (@DeadlineId, @Id, 'acceptance', 1, @AcceptBy)
        """;

    public ReferralRequested Open(UnitOfWork unit, NewReferral referral)
    {
        var now = clock.GetUtcNow();
        var requested = new ReferralRequested
        {
            ReferralId = Guid.CreateVersion7(),
            CaseId = referral.CaseId,
            CountyCode = referral.CountyCode,
            ReceivingStationCounty = referral.ReceivingStationCounty,
            ServicePointCode = referral.ServicePointCode,
            Priority = referral.Priority,
            AcceptBy = now + options.CurrentValue.AcceptWithinFor(referral.Priority),
            Sequence = 1,
            SentAt = now,
        };
        var row = new
        {
            Id = requested.ReferralId,
            referral.CaseId,
            referral.CountyCode,
            referral.ServicePointCode,
            referral.ReceivingStationCounty,
            SentAt = now,
            TraceId = ReliefTelemetry.CurrentTraceId,
            referral.Priority,
            referral.ClassificationId,
            requested.AcceptBy,
            referral.TransferredFrom,
            By = referral.By.Subject,
            ByName = referral.By.Name,
            ByOffice = referral.By.Office,
            referral.Comment,
            DeadlineId = Guid.CreateVersion7(),
        };
        unit.Write(InsertReferral, row);
        unit.Write(InsertHistory, row);
        unit.Write(InsertDeadline, row);
        unit.Publish(requested);
        return requested;
    }
}
