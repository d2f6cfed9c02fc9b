using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Relief.Intake;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.IntegrationTests.Intake;
using Relief.Registry;
using Relief.Registry.Contracts;
using Relief.Registry.Persons;
using Relief.Testing;

namespace Relief.IntegrationTests.Resilience;

/// <summary>
/// The service reaches PostgreSQL through a proxy the test cuts: a database restart or failover, as a service sees it.
/// Messages wait it out (minutes of retries, not seconds), requests are answered 503, and nothing ends in _error.
/// </summary>
public sealed class DatabaseOutageTests : VirtualHostAndProbe
{
    /// <summary>Longer than the ~9 s the consumers used to retry before giving a message up to _error.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(12);

    private TcpProxy databaseLink = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        databaseLink = new TcpProxy(new NpgsqlConnectionStringBuilder(TestInfrastructure.PostgresServer).Port);
        databaseLink.Start();
    }

    /// <summary>The service's database connection string, through the proxy.</summary>
    private Dictionary<string, string> ThroughProxy(string connectionName, string database) => new()
    {
        [$"ConnectionStrings:{connectionName}"] = new NpgsqlConnectionStringBuilder(TestInfrastructure.DatabaseConnectionString(database))
        {
            Port = databaseLink.Port,
            Timeout = 3,
        }.ConnectionString,
    };

    [Fact]
    public async Task A_message_consumed_during_a_database_outage_longer_than_the_old_retry_window_takes_effect_once_without_error()
    {
        var database = TestInfrastructure.NewName("registrydb");
        var logs = new LogCapture();
        await using var registry = new ServiceHost<RegistryApi>("registrydb", database, VirtualHost.AmqpUri, ThroughProxy("registrydb", database), logs);
        await registry.WaitUntilReadyAsync();
        var registered = new CaseRegistered
        {
            CaseId = Guid.NewGuid(),
            CountyCode = "140829",
            ServicePointCode = "PL-BS-001",
            Channel = IntakeChannel.WalkIn,
            Sex = Sex.Male,
            EstimatedAge = 45,
            Need = ReliefNeed.Referral,
            RegisteredAt = DateTimeOffset.UtcNow,
        };
        var messageId = Guid.NewGuid();

        await databaseLink.StopAsync();
        await Probe.PublishAsync(registered, messageId);
        await TestDatabase.EventuallyAsync(() => Task.FromResult(logs.Retries(messageId) >= 1), "the first attempt has failed and is retried");
        var outage = Stopwatch.StartNew();
        using var anonymous = registry.CreateClient();
        await TestDatabase.EventuallyAsync(async () => (await anonymous.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode
            == HttpStatusCode.ServiceUnavailable, "health answers 503 while the database is away");
        // The fault's length, not a wait for a result: the database stays away this long.
        await Task.Delay(Outage - outage.Elapsed);
        Assert.Equal(0, await VirtualHost.CountMessagesMentioningAsync(ErrorQueues.Of<CaseRegisteredConsumer>("registry"), registered.CaseId.ToString()));
        databaseLink.Start();

        await registry.Consumed.WaitForAsync(messageId, timeout: TimeSpan.FromSeconds(60));
        // Retried in place through the whole outage: it never faulted out of the retry policy.
        Assert.Equal(0, registry.Consumed.Faulted(messageId));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(registry.DatabaseConnectionString,
            "select count(*) from persons where first_case_id = @CaseId", new { registered.CaseId }));
        Assert.Equal(0, await VirtualHost.CountMessagesMentioningAsync(ErrorQueues.Of<CaseRegisteredConsumer>("registry"), registered.CaseId.ToString()));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(registry.DatabaseConnectionString,
            "select count(*) from person_cases where case_id = @CaseId", new { registered.CaseId }));
    }

    [Fact]
    public async Task Registering_while_the_database_is_unreachable_answers_503_with_problem_details_and_health_503()
    {
        var database = TestInfrastructure.NewName("intakedb");
        await using var intake = new ServiceHost<IntakeApi>("intakedb", database, VirtualHost.AmqpUri, ThroughProxy("intakedb", database));
        await intake.WaitUntilReadyAsync();
        using var staff = await intake.ClientForAsync(TestUsers.PointStaff());
        using var anonymous = intake.CreateClient();

        await databaseLink.StopAsync();
        var response = await staff.PostCaseAsync(CaseRequests.Valid());
        var health = await anonymous.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", (await health.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("status").GetString());

        databaseLink.Start();
        await TestDatabase.EventuallyAsync(async () => (await staff.PostCaseAsync(CaseRequests.Valid())).StatusCode == HttpStatusCode.Created,
            "registration works again without a restart");
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(intake.DatabaseConnectionString, "select count(*) from cases"));
    }

    public override async Task DisposeAsync()
    {
        await databaseLink.DisposeAsync();
        await base.DisposeAsync();
    }
}
