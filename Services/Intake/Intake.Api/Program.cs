using Relief.Intake;
using Relief.Intake.Cases;
using Relief.Intake.History;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Audit;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddIntakeServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapCaseEndpoints();
app.MapCasePersonEndpoint();
app.MapCaseFactsEndpoint();
app.MapCaseNoticeFactsEndpoint();
app.MapAuditEndpoints();
app.MapCaseEventHistory();

app.Run();
