using Relief.Registry;
using Relief.Registry.Persons;
using Relief.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRegistryServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapPersonEndpoints();

app.Run();
