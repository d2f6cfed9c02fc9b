using Relief.Identity;

var builder = WebApplication.CreateBuilder(args);

builder.AddIdentityAuthority();

var app = builder.Build();

app.UseIdentityAuthority();
app.MapIdentityEndpoints();

app.Run();
