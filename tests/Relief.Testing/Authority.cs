using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using Relief.Identity;

namespace Relief.Testing;

/// <summary>
/// The identity authority in the test process against the real PostgreSQL and RabbitMQ of the test run (a database of
/// its own, the broker's default virtual host), configured the way the AppHost configures it, plus whatever a test class
/// needs to change (its own virtual host: <c>ConnectionStrings:messaging</c>). Given a <paramref name="database"/>, it
/// runs on that one and leaves it to the caller (a restart on the same data); otherwise it makes one up and drops it.
/// </summary>
public sealed class Authority(IReadOnlyDictionary<string, string?>? settings = null, string? database = null)
    : WebApplicationFactory<IdentityApi>
{
    public const string AdminUserName = "bootstrap-admin";
    public const string AdminPassword = "bootstrap-admin-password";
    /// <summary>OpenIddict's default issuer is the request's base URL: the test server's.</summary>
    public const string Issuer = "http://localhost/";
    public const string ServiceClientId = "relief-test-service";
    public const string ServiceClientSecret = "relief-test-service-secret-0123456789";
    /// <summary>Registry's own client, as the AppHost registers it (Registry reads a case's person from Intake).</summary>
    public const string RegistryClientId = "relief-registry";
    public const string RegistryClientSecret = "relief-test-registry-secret-0123456789";
    /// <summary>Referral's own client, as the AppHost registers it (Referral reads a case's facts from Intake).</summary>
    public const string ReferralClientId = "relief-referral";
    public const string ReferralClientSecret = "relief-test-referral-secret-0123456789";
    /// <summary>Reporting's own client, as the AppHost registers it (Reporting reads facts and the sources' history).</summary>
    public const string ReportingClientId = "relief-reporting";
    public const string ReportingClientSecret = "relief-test-reporting-secret-0123456789";
    /// <summary>Family search's own client, as the AppHost registers it (it reads a notice's starting facts from Intake).</summary>
    public const string FamilySearchClientId = "relief-familysearch";
    public const string FamilySearchClientSecret = "relief-test-familysearch-secret-0123456789";

    private readonly bool ownsDatabase = database is null;

    public string Database { get; } = database ?? NewDatabaseName();

    public static string NewDatabaseName() => $"identity_{Guid.NewGuid():N}"[..21];

    public string DatabaseConnectionString => new NpgsqlConnectionStringBuilder(PostgresServer) { Database = Database }.ConnectionString;

    public static string PostgresServer =>
        Environment.GetEnvironmentVariable("RELIEF_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "RELIEF_TEST_POSTGRES is not set: run the tests with tests/run.sh, which starts PostgreSQL for them.");

    /// <summary>amqp://user:password@host:port — the broker's default virtual host.</summary>
    public static string RabbitMqServer =>
        Environment.GetEnvironmentVariable("RELIEF_TEST_RABBITMQ") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "RELIEF_TEST_RABBITMQ is not set: run the tests with tests/run.sh, which starts RabbitMQ for them.");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:identitydb", DatabaseConnectionString);
        // The authority announces office changes (OfficeChanged). On the default virtual host nothing is bound to them,
        // so they wait in its outbox; tests of the announcements give it a virtual host of their own with a probe.
        builder.UseSetting("ConnectionStrings:messaging", RabbitMqServer);
        builder.UseSetting("Identity:Bootstrap:AdminUserName", AdminUserName);
        builder.UseSetting("Identity:Bootstrap:AdminPassword", AdminPassword);
        builder.UseSetting($"Identity:ServiceClients:{ServiceClientId}", ServiceClientSecret);
        builder.UseSetting($"Identity:ServiceClients:{RegistryClientId}", RegistryClientSecret);
        builder.UseSetting($"Identity:ServiceClients:{ReferralClientId}", ReferralClientSecret);
        builder.UseSetting($"Identity:ServiceClients:{ReportingClientId}", ReportingClientSecret);
        builder.UseSetting($"Identity:ServiceClients:{FamilySearchClientId}", FamilySearchClientSecret);
        // Tests make many token requests from one (test server) address; the rate-limit test sets its own.
        builder.UseSetting("Identity:RateLimit:TokenRequestsPerIpPerMinute", "10000");
        builder.UseSetting("Identity:RateLimit:TokenRequestsPerUserPerMinute", "1000");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }

    public Task<string> AdminTokenAsync() => IdentityAuthorityClient.GetAccessTokenAsync(CreateClient(), AdminUserName, AdminPassword);

    public HttpClient CreateClient(string? token)
    {
        var client = CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task<string> TokenOfNewUserAsync(string role, string officeCode = "YH-CC-001", string county = "140802", string kind = "service_point")
    {
        var client = CreateClient();
        var (userName, password) = await IdentityAuthorityClient.CreateUserAsync(client, await AdminTokenAsync(), role, officeCode, county, kind);
        return await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, password);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (!ownsDatabase)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgresServer) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        NpgsqlConnection.ClearAllPools();
        // Cleanup, not the test: on a busy machine (CI's two cores under a full build) a forced drop can take longer than
        // Npgsql's default 30 s, and a test must not fail for its own tidying up.
        await using var drop = new NpgsqlCommand($"drop database if exists \"{Database}\" with (force)", connection) { CommandTimeout = 300 };
        await drop.ExecuteNonQueryAsync();
    }
}
