using Relief.AppHost;
using Relief.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

var infrastructure = builder.AddReliefInfrastructure();

// Keys sealing identity documents at rest and keying their lookup hash. Generated once and kept in the data folder:
// a new key at each start would leave every sealed number unreadable. Rotate by adding a key and making it active.
var personalDataKey = builder.AddPersistentSecret(infrastructure.Data, "personal-data-key-1", length: 48);
var personalDataLookupKey = builder.AddPersistentSecret(infrastructure.Data, "personal-data-lookup-key", length: 48);

// The identity authority (OpenID Connect, identitydb). Its first city administrator is "admin" with this password
// (the dashboard's parameters show it, and the data folder's secrets.json keeps it); that admin creates offices and
// users through /api/admin.
var identityAdminPassword = builder.AddPersistentSecret(infrastructure.Data, "identity-admin-password", length: 24);
var identity = builder.AddProject<Projects.Identity_Api>("identity")
    .WithReliefInfrastructure(infrastructure, "identitydb")
    .AsIssuer()
    .WithEnvironment("Identity__Bootstrap__AdminUserName", "admin")
    .WithEnvironment("Identity__Bootstrap__AdminPassword", identityAdminPassword)
    .WithServiceHealth()
    .WithServiceSettings()
    .WithDirectEndpoint()
    .WithAddressPrinted();

var intake = builder.AddProject<Projects.Intake_Api>("intake")
    .WithReliefInfrastructure(infrastructure, "intakedb")
    .WithEnvironment("PersonalData__ActiveKeyId", "k1")
    .WithEnvironment("PersonalData__Keys__k1", personalDataKey)
    .WithEnvironment("PersonalData__ActiveLookupKeyId", "h1")
    .WithEnvironment("PersonalData__LookupKeys__h1", personalDataLookupKey)
    .WithTokenValidation(identity)
    .WithServiceHealth()
    .WithServiceSettings()
    .WithDirectEndpoint()
    .WithAddressPrinted();

// Registry reads the person of each registered case from Intake (never from the bus) as a client of its own.
var registryClientSecret = builder.AddPersistentSecret(infrastructure.Data, "registry-client-secret", length: 48);
var registry = builder.AddProject<Projects.Registry_Api>("registry")
    .WithReliefInfrastructure(infrastructure, "registrydb")
    .WithTokenValidation(identity)
    .WithReference(intake)
    .WithEnvironment("ServiceClient__ClientId", "relief-registry")
    .WithEnvironment("ServiceClient__ClientSecret", registryClientSecret)
    .WithServiceHealth()
    .WithServiceSettings()
    .WithDirectEndpoint()
    .WithAddressPrinted();

// Referral reads the facts of each case it classifies from Intake (health data never travels on the bus), as a client
// of its own.
var referralClientSecret = builder.AddPersistentSecret(infrastructure.Data, "referral-client-secret", length: 48);
var referral = builder.AddProject<Projects.Referral_Api>("referral")
    .WithReliefInfrastructure(infrastructure, "referraldb")
    .WithTokenValidation(identity)
    .WithReference(intake)
    .WithEnvironment("ServiceClient__ClientId", "relief-referral")
    .WithEnvironment("ServiceClient__ClientSecret", referralClientSecret)
    .WithServiceHealth()
    .WithServiceSettings()
    .WithDirectEndpoint()
    .WithAddressPrinted();

// Notification seals its subscriptions' targets (a group robot's URL carries its key; SMS numbers) and secrets with a
// key of its own; one secret serves both uses (a separate key is derived for each).
var notificationDataKey = builder.AddPersistentSecret(infrastructure.Data, "notification-data-key", length: 48);
var notification = builder.AddProject<Projects.Notification_Api>("notification")
    .WithReliefInfrastructure(infrastructure, "notificationdb")
    .WithEnvironment("PersonalData__ActiveKeyId", "k1")
    .WithEnvironment("PersonalData__Keys__k1", notificationDataKey)
    .WithEnvironment("PersonalData__ActiveLookupKeyId", "h1")
    .WithEnvironment("PersonalData__LookupKeys__h1", notificationDataKey)
    .WithTokenValidation(identity)
    .WithServiceHealth()
    .WithServiceSettings()
    .WithDirectEndpoint()
    .WithAddressPrinted();

// Reporting keeps the statistics' read model (reportingdb) from events; it reads a case's facts (situations are health
// data, never on the bus) from Intake and, for a rebuild, the sources' history, as a client of its own.
var reportingClientSecret = builder.AddPersistentSecret(infrastructure.Data, "reporting-client-secret", length: 48);
var reporting = builder.AddProject<Projects.Reporting_Api>("reporting")
    .WithReliefInfrastructure(infrastructure, "reportingdb")
    .WithTokenValidation(identity)
    .WithReference(intake)
    .WithReference(referral)
    .WithReference(registry)
    .WithEnvironment("ServiceClient__ClientId", "relief-reporting")
    .WithEnvironment("ServiceClient__ClientSecret", reportingClientSecret)
    .WithServiceHealth()
    .WithServiceSettings()
    .WithDirectEndpoint()
    .WithAddressPrinted();

// Family search (寻亲, familysearchdb): notices, police requests, missing-person reports and their matching. It reads
// what a notice is drafted from (the person as registered) from Intake as a client of its own, and seals notices'
// details and photos with a key of its own until they are published.
var familySearchClientSecret = builder.AddPersistentSecret(infrastructure.Data, "familysearch-client-secret", length: 48);
var familySearchDataKey = builder.AddPersistentSecret(infrastructure.Data, "familysearch-data-key", length: 48);
var familySearch = builder.AddProject<Projects.FamilySearch_Api>("familysearch")
    .WithReliefInfrastructure(infrastructure, "familysearchdb")
    .WithEnvironment("PersonalData__ActiveKeyId", "k1")
    .WithEnvironment("PersonalData__Keys__k1", familySearchDataKey)
    .WithEnvironment("PersonalData__ActiveLookupKeyId", "h1")
    .WithEnvironment("PersonalData__LookupKeys__h1", familySearchDataKey)
    .WithTokenValidation(identity)
    .WithReference(intake)
    .WithEnvironment("ServiceClient__ClientId", "relief-familysearch")
    .WithEnvironment("ServiceClient__ClientSecret", familySearchClientSecret)
    // The public page reaches the public notices through the portal, which names the visitor in X-Forwarded-For: each
    // visitor has a rate-limit budget of their own. Only the portal is to be reachable from outside.
    .WithEnvironment("PublicNotices__ClientAddressHeader", "X-Forwarded-For")
    .WithServiceHealth()
    .WithServiceSettings()
    .WithDirectEndpoint()
    .WithAddressPrinted();

// The staff portal (http://localhost:5105), a backend-for-frontend: it signs users in at the authority (authorization
// code + PKCE, a confidential client whose secret the data folder keeps) and calls the services with their tokens.
var portalClientSecret = builder.AddPersistentSecret(infrastructure.Data, "portal-client-secret", length: 48);
var portal = builder.AddProject<Projects.Portal_Web>("portal")
    .WithReliefInfrastructure(infrastructure, "portaldb")
    .WithReference(identity)
    .WithReference(intake)
    .WithReference(registry)
    .WithReference(referral)
    .WithReference(notification)
    .WithReference(reporting)
    .WithReference(familySearch)
    .WithEnvironment("Portal__Authority", identity.GetEndpoint("http"))
    .WithEnvironment("Portal__ClientSecret", portalClientSecret)
    .WaitFor(identity)
    .WithServiceHealth()
    .WithServiceSettings()
    .WithDirectEndpoint()
    .WithAddressPrinted();

// Messages sent out (webhooks, SMS) link into the portal by its address.
notification.WithEnvironment("Notification__PortalUrl", portal.GetEndpoint("http"));

identity
    .WithEnvironment("Identity__ServiceClients__relief-registry", registryClientSecret)
    .WithEnvironment("Identity__ServiceClients__relief-referral", referralClientSecret)
    .WithEnvironment("Identity__ServiceClients__relief-reporting", reportingClientSecret)
    .WithEnvironment("Identity__ServiceClients__relief-familysearch", familySearchClientSecret)
    .WithEnvironment("Identity__WebPortal__ClientSecret", portalClientSecret)
    .WithEnvironment("Identity__WebPortal__RedirectUris__0", ReferenceExpression.Create($"{portal.GetEndpoint("http")}/signin-oidc"))
    .WithEnvironment("Identity__WebPortal__PostLogoutRedirectUris__0", ReferenceExpression.Create($"{portal.GetEndpoint("http")}/signout-callback-oidc"));

builder.Build().Run();
