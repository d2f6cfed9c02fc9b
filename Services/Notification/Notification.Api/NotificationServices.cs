using FluentValidation;
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
        builder.AddReliefMessaging("notification", bus =>
        {
            bus.AddConsumer<ReferralRequestedConsumer>();
            bus.AddConsumer<ReferralOverdueConsumer>();
        });
        // Subscriptions' targets (webhook URLs with their keys, phone numbers) and secrets are sealed at rest.
        builder.AddReliefPersonalData();
        builder.Services.AddValidatorsFromAssemblyContaining<NotificationApi>();
        builder.AddDeliveryServices();
        return builder;
    }
}

/// <summary>Names this assembly for hosts and tests (the top-level Program has no namespace).</summary>
public sealed class NotificationApi;
