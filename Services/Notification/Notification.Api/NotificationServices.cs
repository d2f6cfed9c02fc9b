using Relief.ServiceDefaults.Http;
using Relief.Notification.Copies;
using Relief.Notification.Delivery;
using Relief.Notification.DutyDesk;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.Notification;

public static class NotificationServices
{
    public static WebApplicationBuilder AddNotificationServices(this WebApplicationBuilder builder)
    {
        builder.AddReliefDatabase("notificationdb", typeof(NotificationServices).Assembly);
        builder.Services.AddRequestValidators<NotificationApi>();
        builder.Services.AddSingleton<DeskDirectory>();
        builder.AddReliefMessaging("notification", bus =>
        {
            bus.AddConsumer<ReferralRequestedConsumer>();
            bus.AddConsumer<ReferralOverdueConsumer>();
            bus.AddConsumer<ReferralRejectedConsumer>();
            bus.AddConsumer<ReferralCompletedConsumer>();
            bus.AddConsumer<CaseClassifiedConsumer>();
            bus.AddConsumer<NoticeDraftedConsumer>();
            bus.AddConsumer<NoticeOverdueConsumer>();
            bus.AddConsumer<PoliceRequestOverdueConsumer>();
            // The local copies desks are addressed by.
            bus.AddConsumer<CaseRegisteredConsumer>();
            bus.AddConsumer<ServicePointChangedConsumer>();
            bus.AddConsumer<OfficeChangedConsumer>();
        });
        // Live feeds: one LISTEN connection per process wakes them all.
        builder.Services.AddSingleton<DeskFeedSignal>();
        builder.Services.AddHostedService<DeskFeedListener>();
        // Subscriptions' targets (webhook URLs with their keys, phone numbers) and secrets are sealed at rest.
        builder.AddReliefPersonalData();
        builder.AddDeliveryServices();
        return builder;
    }
}

/// <summary>Names this assembly for hosts and tests (the top-level Program has no namespace).</summary>
public sealed class NotificationApi;
