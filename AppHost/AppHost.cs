using Relief.AppHost;
using Relief.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

var infrastructure = builder.AddReliefInfrastructure();

// Development issuer's key: services validate tokens with it (tests mint tokens with it).
var signingKey = builder.AddParameter("jwt-signing-key", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true);

builder.AddProject<Projects.Intake_Api>("intake")
    .WithReliefInfrastructure(infrastructure, "intakedb")
    .WithTokenValidation(signingKey)
    .WithAddressPrinted();

builder.AddProject<Projects.Registry_Api>("registry")
    .WithReliefInfrastructure(infrastructure, "registrydb")
    .WithTokenValidation(signingKey)
    .WithAddressPrinted();

builder.AddProject<Projects.Referral_Api>("referral")
    .WithReliefInfrastructure(infrastructure, "referraldb")
    .WithTokenValidation(signingKey)
    .WithAddressPrinted();

builder.AddProject<Projects.Notification_Api>("notification")
    .WithReliefInfrastructure(infrastructure, "notificationdb")
    .WithTokenValidation(signingKey)
    .WithAddressPrinted();

builder.Build().Run();
