using Relief.Notification.DutyDesk;
using Relief.ServiceDefaults.Data;

namespace Relief.Notification.Delivery;

/// <summary>
/// Plans the deliveries of a desk item to the channels its office subscribed for its kind, in the same transaction as the
/// item: one row per subscription of the item's desk, due at once. The dispatcher sends them after the commit.
/// </summary>
public static class DeliveryPlanning
{
    // Selected from the item's own row: an item that was not inserted (the same event twice: on conflict do nothing)
    // finds no row and plans nothing, so a redelivered event sends nothing twice. The desk is the office of the item's
    // kind and county, and of its code where the item names one (a service point, the hotline); deactivated offices and
    // removed subscriptions are not sent to.
    private const string PlanDeliveries = """
        insert into deliveries (id, notification_id, subscription_id, office_code, office_county, kind, case_id, case_number,
                                channel, format, target_display, title, message, link, status, next_attempt_at, created_at)
        select gen_random_uuid(), n.id, s.id, o.code, o.county_code, @Kind, @CaseId, @CaseNumber::text,
               s.channel, s.format, s.target_display, @Title, @Message, @Link, 'pending', @CreatedAt, @CreatedAt
        from notifications n
        join subscriptions s on s.kind = @Kind and s.removed_at is null
        join offices o on o.code = s.office_code
        where n.id = @Id
          and o.active and o.kind = @RecipientKind and o.county_code = @RecipientCounty
          and (@RecipientOffice::text is null or o.code = @RecipientOffice)
        on conflict (notification_id, subscription_id) do nothing
        """;

    public static void Plan(UnitOfWork unit, DeskItem item)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(item);
        unit.Write(PlanDeliveries, new
        {
            item.Id,
            item.Kind,
            item.CaseId,
            item.CaseNumber,
            item.Title,
            item.Message,
            item.Link,
            item.RecipientKind,
            item.RecipientCounty,
            item.RecipientOffice,
            item.CreatedAt,
        });
    }
}
