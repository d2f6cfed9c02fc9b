using Relief.FamilySearch;
using Relief.FamilySearch.History;
using Relief.FamilySearch.Matching;
using Relief.FamilySearch.Notices;
using Relief.FamilySearch.Photos;
using Relief.FamilySearch.Police;
using Relief.FamilySearch.Public;
using Relief.FamilySearch.Reports;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Audit;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddFamilySearchServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapPhotoEndpoints();
app.MapPublicNoticeEndpoints();
app.MapAuditEndpoints();
app.MapNoticeEndpoints();
app.MapPoliceRequestEndpoints();
app.MapNoticeEventHistory();
app.MapReportEndpoints();
app.MapMatchEndpoints();

app.Run();
