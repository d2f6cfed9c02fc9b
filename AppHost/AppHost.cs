using Relief.AppHost;
using Relief.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

var infrastructure = builder.AddReliefInfrastructure();

// Keys sealing identity documents at rest (rotate by adding a key and making it active; old ones stay readable).
var personalDataKey = builder.AddParameter("personal-data-key-1", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true);
var personalDataLookupKey = builder.AddParameter("personal-data-lookup-key", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true);

// The identity authority (OpenID Connect, identitydb). Its first city administrator is "admin" with this password
// (the dashboard's parameters show it); that admin creates offices and users through /api/admin.
var identityAdminPassword = builder.AddParameter("identity-admin-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true);
var identity = builder.AddProject<Projects.Identity_Api>("identity")
    .WithReliefInfrastructure(infrastructure, "identitydb")
    .AsIssuer()
    .WithEnvironment("Identity__Bootstrap__AdminUserName", "admin")
    .WithEnvironment("Identity__Bootstrap__AdminPassword", identityAdminPassword)
    .WithAddressPrinted();

builder.AddProject<Projects.Intake_Api>("intake")
    .WithReliefInfrastructure(infrastructure, "intakedb")
    .WithEnvironment("PersonalData__ActiveKeyId", "k1")
    .WithEnvironment("PersonalData__Keys__k1", personalDataKey)
    .WithEnvironment("PersonalData__LookupKey", personalDataLookupKey)
    .WithTokenValidation(identity)
    .WithAddressPrinted();

builder.AddProject<Projects.Registry_Api>("registry")
    .WithReliefInfrastructure(infrastructure, "registrydb")
    .WithTokenValidation(identity)
    .WithAddressPrinted();

builder.AddProject<Projects.Referral_Api>("referral")
    .WithReliefInfrastructure(infrastructure, "referraldb")
    .WithTokenValidation(identity)
    .WithAddressPrinted();

builder.AddProject<Projects.Notification_Api>("notification")
    .WithReliefInfrastructure(infrastructure, "notificationdb")
    .WithTokenValidation(identity)
    .WithAddressPrinted();

builder.Build().Run();
