using Relief.IntegrationTests.Infrastructure;
using Relief.Notification;

namespace Relief.IntegrationTests.Notification;

public sealed class NotificationFixture() : ServiceHostFixture<NotificationApi>("notificationdb");
