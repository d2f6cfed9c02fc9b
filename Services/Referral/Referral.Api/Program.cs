using Relief.Referral;
using Relief.Referral.Classification;
using Relief.Referral.Extensions;
using Relief.Referral.History;
using Relief.Referral.Referrals;
using Relief.Referral.ReliefLedger;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Audit;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddReferralServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapReferralEndpoints();
app.MapClassificationEndpoints();
app.MapStayExtensionEndpoints();
app.MapReliefLedgerEndpoints();
app.MapAuditEndpoints();
app.MapReferralEventHistory();

app.Run();
