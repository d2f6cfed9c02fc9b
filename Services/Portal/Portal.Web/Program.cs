using Relief.Portal;

var builder = WebApplication.CreateBuilder(args);

builder.AddPortal();

var app = builder.Build();

app.UsePortal();

app.Run();
