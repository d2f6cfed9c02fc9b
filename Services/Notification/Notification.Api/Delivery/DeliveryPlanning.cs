using Relief.Notification.DutyDesk;
using Relief.ServiceDefaults.Data;

namespace Relief.Notification.Delivery;

/// <summary>
/// Plans the deliveries of a desk item to the channels its office subscribed for its kind, in the same transaction as the
/// item. SCAFFOLDING for the parallel work on issue 12: the delivery branch replaces this body.
/// </summary>
public static class DeliveryPlanning
{
    public static void Plan(UnitOfWork unit, DeskItem item)
    {
        _ = unit;
        _ = item;
    }
}
