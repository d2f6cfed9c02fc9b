using Relief.Referral;
using Relief.Referral.Classification;
using Relief.Referral.Referrals;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Audit;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddReferralServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapReferralEndpoints();
app.MapClassificationEndpoints();
app.MapAuditEndpoints();

app.Run();
