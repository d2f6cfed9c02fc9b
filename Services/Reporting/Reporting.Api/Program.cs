using Relief.Reporting;
using Relief.Reporting.Rebuild;
using Relief.Reporting.Statistics;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Audit;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddReportingServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapStatisticsEndpoints();
app.MapRebuildEndpoints();
app.MapAuditEndpoints();

app.Run();
