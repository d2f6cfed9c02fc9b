using Relief.Notification;
using Relief.Notification.DutyDesk;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Audit;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNotificationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapNotificationEndpoints();
app.MapDeskFeedEndpoints();
app.MapAuditEndpoints();

app.Run();
