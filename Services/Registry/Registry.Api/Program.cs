using Relief.Registry;
using Relief.Registry.History;
using Relief.Registry.Persons;
using Relief.Registry.ServicePoints;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Audit;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRegistryServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapPersonEndpoints();
app.MapServicePointEndpoints();
app.MapAuditEndpoints();
app.MapServicePointEventHistory();

app.Run();
