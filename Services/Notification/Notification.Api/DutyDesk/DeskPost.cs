using Relief.Notification.Delivery;
using Relief.ServiceDefaults.Data;

namespace Relief.Notification.DutyDesk;

/// <summary>
/// Puts an item on a desk: the one way every consumer writes desk items. In the consumer's unit of work (one transaction
/// with its inbox row) it inserts the item — nothing if the same event is already on that desk through that channel —
/// plans its deliveries to the office's subscribed channels, and notifies <c>desk_feed</c>, which PostgreSQL delivers at
/// commit, so live feeds wake when the item can be read and not before.
/// </summary>
public static class DeskPost
{
    /// <summary>The channel PostgreSQL notifies on; the payload is "{kind}:{county}:{office}:{feedId}" (office may be empty).</summary>
    public const string Channel = "desk_feed";

    /// <summary>
    /// A desk's writers take their turn, so that its feed ids are given out in commit order: a reader that has seen an
    /// item can never later find one with a smaller id (a live feed resumes after the last id it sent). The lock is the
    /// transaction's and is let go at commit; one desk's writers wait for each other, other desks' do not.
    /// </summary>
    private const string TakeTheDesksTurn = """
        select pg_advisory_xact_lock(hashtextextended('desk_feed:' || @RecipientKind || ':' || @RecipientCounty, 0))
        """;

    private const string Insert = """
        with posted as (
            insert into notifications (id, event_key, kind, referral_id, case_id, county_code, case_number,
                                       recipient_kind, recipient_county, recipient_office, channel,
                                       title, message, link, created_at, trace_id, deadline_kind, level)
            values (@Id, @EventKey, @Kind, @ReferralId, @CaseId, @CountyCode, @CaseNumber,
                    @RecipientKind, @RecipientCounty, @RecipientOffice, 'duty_desk_feed',
                    @Title, @Message, @Link, @CreatedAt, @TraceId, @DeadlineKind, @Level)
            on conflict do nothing
            returning feed_id, recipient_kind, recipient_county, recipient_office)
        select pg_notify('desk_feed', recipient_kind || ':' || recipient_county || ':' || coalesce(recipient_office, '') || ':' || feed_id)
        from posted
        """;

    public static void Write(UnitOfWork unit, DeskItem item)
    {
        unit.Write(TakeTheDesksTurn, new { item.RecipientKind, item.RecipientCounty });
        unit.Write(Insert, new
        {
            item.Id,
            item.EventKey,
            item.Kind,
            item.ReferralId,
            item.CaseId,
            item.CountyCode,
            item.CaseNumber,
            item.RecipientKind,
            item.RecipientCounty,
            item.RecipientOffice,
            item.Title,
            item.Message,
            item.Link,
            item.CreatedAt,
            item.TraceId,
            item.DeadlineKind,
            item.Level,
        });
        DeliveryPlanning.Plan(unit, item);
    }
}
