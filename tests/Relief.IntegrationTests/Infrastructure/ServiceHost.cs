using MassTransit;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Net.Http.Json;
using Relief.Testing;

namespace Relief.IntegrationTests.Infrastructure;

/// <summary>
/// One Relief service running in the test process against the real PostgreSQL (a database of the test's own)
/// and the real RabbitMQ (a virtual host of the test's own), configured the way the AppHost configures it.
/// </summary>
public sealed class ServiceHost<TEntryPoint>(string connectionName, string database, Uri messaging,
    IReadOnlyDictionary<string, string>? overrides = null, ILoggerProvider? logCapture = null) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private readonly IReadOnlyDictionary<string, string> settings = overrides ?? new Dictionary<string, string>();

    public string Database { get; } = database;

    /// <summary>
    /// For Registry, Referral and FamilySearch: the Intake they read each case's person, facts or notice facts from. Unset, the run's shared Intake
    /// (<see cref="SharedIntake"/>), which knows only the cases a test registered there: for one a test publishes straight
    /// onto the bus with a made-up id, Registry records the facts its event carries and Referral fails it to _error.
    /// </summary>
    public Func<HttpMessageHandler>? IntakeHandler { get; init; }

    /// <summary>
    /// For Reporting: what answers its calls to the sources (Intake's facts, and the history of Intake, Referral and
    /// Registry for a rebuild). Unset, the run's shared Intake for all of them.
    /// </summary>
    public Func<HttpMessageHandler>? SourcesHandler { get; init; }

    /// <summary>For Reporting: the Referral and Registry whose history a rebuild reads (unless <see cref="SourcesHandler"/> answers all).</summary>
    public Func<HttpMessageHandler>? ReferralHandler { get; init; }

    public Func<HttpMessageHandler>? RegistryHandler { get; init; }

    /// <summary>For Reporting: the Family search whose notices' history a rebuild reads (unless <see cref="SourcesHandler"/> answers all).</summary>
    public Func<HttpMessageHandler>? FamilySearchHandler { get; init; }

    /// <summary>
    /// Services a test puts in place of the service's own, registered after them (the last registration wins): a fake
    /// clock, say.
    /// </summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>Every message delivery this service finished handling.</summary>
    public ConsumedMessages Consumed { get; } = new();
    public string DatabaseConnectionString => TestInfrastructure.DatabaseConnectionString(Database);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting($"ConnectionStrings:{connectionName}", DatabaseConnectionString);
        builder.UseSetting("ConnectionStrings:messaging", messaging.ToString());
        // Tokens come from the run's identity authority; its discovery document and keys are fetched in-process.
        builder.UseSetting("Authentication:Authority", Authority.Issuer);
        builder.UseSetting("Authentication:RequireHttpsMetadata", "false");
        builder.ConfigureTestServices(services =>
        {
            services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme,
                options => options.BackchannelHttpHandler = SharedAuthority.Instance.Server.CreateHandler());
            services.AddConsumeObserver(_ => Consumed);
            if (typeof(TEntryPoint) == typeof(Relief.Registry.RegistryApi) || typeof(TEntryPoint) == typeof(Relief.Referral.ReferralApi)
                || typeof(TEntryPoint) == typeof(Relief.Reporting.ReportingApi)
                || typeof(TEntryPoint) == typeof(Relief.FamilySearch.FamilySearchApi))
            {
                services.AddHttpClient(Relief.ServiceDefaults.Authentication.ServiceTokens.AuthorityClient)
                    .ConfigurePrimaryHttpMessageHandler(() => SharedAuthority.Instance.Server.CreateHandler());
            }

            if (typeof(TEntryPoint) == typeof(Relief.Registry.RegistryApi))
            {
                services.AddHttpClient(nameof(Relief.Registry.Persons.IntakeCases))
                    .ConfigurePrimaryHttpMessageHandler(IntakeHandler ?? SharedIntake.CreateHandler);
            }

            if (typeof(TEntryPoint) == typeof(Relief.Referral.ReferralApi))
            {
                services.AddHttpClient(nameof(Relief.Referral.Classification.IntakeCaseFacts))
                    .ConfigurePrimaryHttpMessageHandler(IntakeHandler ?? SharedIntake.CreateHandler);
            }

            if (typeof(TEntryPoint) == typeof(Relief.Reporting.ReportingApi))
            {
                var intake = SourcesHandler ?? IntakeHandler ?? SharedIntake.CreateHandler;
                services.AddHttpClient(nameof(Relief.Reporting.ReadModel.IntakeFacts)).ConfigurePrimaryHttpMessageHandler(intake);
                services.AddHttpClient(Relief.Reporting.Rebuild.HistoryClients.Intake).ConfigurePrimaryHttpMessageHandler(intake);
                services.AddHttpClient(Relief.Reporting.Rebuild.HistoryClients.Referral)
                    .ConfigurePrimaryHttpMessageHandler(SourcesHandler ?? ReferralHandler ?? intake);
                services.AddHttpClient(Relief.Reporting.Rebuild.HistoryClients.Registry)
                    .ConfigurePrimaryHttpMessageHandler(SourcesHandler ?? RegistryHandler ?? intake);
                services.AddHttpClient(Relief.Reporting.Rebuild.HistoryClients.FamilySearch)
                    .ConfigurePrimaryHttpMessageHandler(SourcesHandler ?? FamilySearchHandler ?? intake);
            }

            if (typeof(TEntryPoint) == typeof(Relief.FamilySearch.FamilySearchApi))
            {
                services.AddHttpClient<Relief.FamilySearch.Notices.IntakeNoticeFacts>()
                    .ConfigurePrimaryHttpMessageHandler(IntakeHandler ?? SharedIntake.CreateHandler);
            }

            TestServices?.Invoke(services);
        });
        // Each service that calls another has a client of its own at the authority, as the AppHost registers them.
        var (clientId, clientSecret) = typeof(TEntryPoint) == typeof(Relief.Referral.ReferralApi)
            ? (Authority.ReferralClientId, Authority.ReferralClientSecret)
            : typeof(TEntryPoint) == typeof(Relief.Reporting.ReportingApi)
                ? (Authority.ReportingClientId, Authority.ReportingClientSecret)
                : typeof(TEntryPoint) == typeof(Relief.FamilySearch.FamilySearchApi)
                    ? (Authority.FamilySearchClientId, Authority.FamilySearchClientSecret)
                    : (Authority.RegistryClientId, Authority.RegistryClientSecret);
        builder.UseSetting("ServiceClient:ClientId", clientId);
        builder.UseSetting("ServiceClient:ClientSecret", clientSecret);
        // Service discovery resolves Intake's name; the test server's handler above answers whatever the address.
        builder.UseSetting("services:intake:http:0", "http://localhost");
        builder.UseSetting("services:referral:http:0", "http://localhost");
        builder.UseSetting("services:registry:http:0", "http://localhost");
        builder.UseSetting("services:familysearch:http:0", "http://localhost");
        // Short waits so an outage test sees recovery in seconds, not the production defaults.
        builder.UseSetting("Outbox:PollInterval", "00:00:00.500");
        builder.UseSetting("Outbox:PublishTimeout", "00:00:05");
        builder.UseSetting("Outbox:MaxBackoff", "00:00:01");
        // Transient faults are still waited out for minutes, in quicker steps.
        builder.UseSetting("Messaging:TransientRetryLimit", "100");
        builder.UseSetting("Messaging:TransientRetryMinInterval", "00:00:00.050");
        builder.UseSetting("Messaging:TransientRetryMaxInterval", "00:00:02");
        builder.UseSetting("Messaging:TransientRetryIntervalDelta", "00:00:00.100");
        builder.UseSetting("Health:RefreshInterval", "00:00:01");
        builder.UseSetting("PersonalData:ActiveKeyId", "k2");
        builder.UseSetting("PersonalData:Keys:k1", "an-older-test-key-that-still-opens-old-rows");
        builder.UseSetting("PersonalData:Keys:k2", "the-active-test-key-for-identity-documents");
        builder.UseSetting("PersonalData:ActiveLookupKeyId", "h1");
        builder.UseSetting("PersonalData:LookupKeys:h1", "the-test-lookup-key-for-identity-documents");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (logCapture is not null)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(logCapture).SetMinimumLevel(LogLevel.Debug));
        }
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder); // started: the database is migrated
        if (typeof(TEntryPoint) == typeof(Relief.Intake.IntakeApi))
        {
            // Intake refuses cases at points it does not know: every Intake under test knows those the tests use.
            TestPoints.SeedIntakeCopyAsync(DatabaseConnectionString).GetAwaiter().GetResult();
        }

        return host;
    }

    /// <summary>
    /// Waits until /health says Healthy — the database migrated, the bus connected and its queues bound — not merely
    /// 200, which Degraded (broker not yet connected) also answers.
    /// </summary>
    public async Task WaitUntilReadyAsync()
    {
        using var client = CreateClient();
        await TestDatabase.EventuallyAsync(async () => await HealthProbe.StatusAsync(client) == "Healthy",
            $"{typeof(TEntryPoint).Name} reports Healthy", TimeSpan.FromSeconds(60));
    }

    /// <summary>An HTTP client signed in as the given user (point staff of YH-CC-001 by default).</summary>
    public async Task<HttpClient> ClientForAsync(TestUser? user = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await SharedAuthority.SignIn.TokenAsync(user ?? TestUsers.PointStaff()));
        return client;
    }
}

public static class HealthProbe
{
    /// <summary>The overall status in the body of /health: Healthy, Degraded or Unhealthy.</summary>
    public static async Task<string?> StatusAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return body.GetProperty("status").GetString();
    }
}
