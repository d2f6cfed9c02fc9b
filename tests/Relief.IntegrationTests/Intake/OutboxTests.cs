using System.Net;
using System.Net.Http.Json;
using Relief.Intake;
using Relief.Intake.Cases;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;

namespace Relief.IntegrationTests.Intake;

/// <summary>
/// The outbox: a broker outage or a crash of the relay delays events, never loses them. The service under test
/// reaches the broker through a proxy the test cuts; the probe is connected to the broker directly.
/// </summary>
public sealed class OutboxTests : IAsyncLifetime
{
    private TestVirtualHost virtualHost = null!;
    private BusProbe probe = null!;
    private TcpProxy brokerLink = null!;
    private readonly string database = TestInfrastructure.NewName("intakedb");

    public async Task InitializeAsync()
    {
        virtualHost = await TestVirtualHost.CreateAsync();
        probe = await BusProbe.StartAsync(virtualHost.AmqpUri);
        brokerLink = new TcpProxy(virtualHost.AmqpUri.Port);
    }

    private ServiceHost<IntakeApi> IntakeThroughProxy() =>
        new("intakedb", database, new UriBuilder(virtualHost.AmqpUri) { Port = brokerLink.Port }.Uri);

    private async Task<long> UnsentEventsAsync() => await TestDatabase.ScalarAsync<long>(
        TestInfrastructure.DatabaseConnectionString(database), "select count(*) from outbox_messages where sent_at is null");

    [Fact]
    public async Task A_case_registered_while_the_broker_is_down_is_saved_and_its_event_arrives_when_the_broker_is_back()
    {
        await using var intake = IntakeThroughProxy(); // the proxy is down: no broker for this service
        using var client = await intake.ClientForAsync();

        var response = await client.PostCaseAsync(CaseRequests.Valid());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<RegisteredCase>())!;
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(intake.DatabaseConnectionString,
            "select count(*) from cases where id = @Id", new { created.Id }));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await UnsentEventsAsync());
        Assert.Empty(probe.Received<CaseRegistered>(m => m.CaseId == created.Id));

        brokerLink.Start();

        await probe.WaitForAsync<CaseRegistered>(m => m.CaseId == created.Id, TimeSpan.FromSeconds(60));
        await TestDatabase.EventuallyAsync(async () => await UnsentEventsAsync() == 0, "the event is marked sent");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(probe.Received<CaseRegistered>(m => m.CaseId == created.Id));
    }

    [Fact]
    public async Task An_event_committed_before_the_service_stopped_is_published_by_the_next_start()
    {
        Guid caseId;
        await using (var beforeCrash = IntakeThroughProxy())
        {
            using var client = await beforeCrash.ClientForAsync();
            var created = await (await client.PostCaseAsync(CaseRequests.Valid())).Content.ReadFromJsonAsync<RegisteredCase>();
            caseId = created!.Id;
            Assert.Equal(1, await UnsentEventsAsync());
        }

        brokerLink.Start();
        await using var afterRestart = IntakeThroughProxy();
        _ = afterRestart.Server;

        await probe.WaitForAsync<CaseRegistered>(m => m.CaseId == caseId, TimeSpan.FromSeconds(60));
        await TestDatabase.EventuallyAsync(async () => await UnsentEventsAsync() == 0, "the event is marked sent");
    }

    public async Task DisposeAsync()
    {
        await brokerLink.DisposeAsync();
        await probe.DisposeAsync();
        await virtualHost.DisposeAsync();
    }
}
