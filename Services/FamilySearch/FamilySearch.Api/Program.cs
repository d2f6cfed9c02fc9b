using Relief.FamilySearch;
using Relief.FamilySearch.Matching;
using Relief.FamilySearch.Reports;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Audit;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddFamilySearchServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapAuditEndpoints();
app.MapReportEndpoints();
app.MapMatchEndpoints();

app.Run();
