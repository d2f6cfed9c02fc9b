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

    private ServiceHost<IntakeApi> IntakeThroughProxy(LogCapture? logs = null) =>
        new("intakedb", database, new UriBuilder(virtualHost.AmqpUri) { Port = brokerLink.Port }.Uri, logCapture: logs);

    private async Task<long> UnsentEventsAsync() => await TestDatabase.ScalarAsync<long>(
        TestInfrastructure.DatabaseConnectionString(database), "select count(*) from outbox_messages where sent_at is null");

    [Fact]
    public async Task A_case_registered_while_the_broker_is_down_is_saved_and_its_event_is_published_once_when_the_broker_is_back()
    {
        var logs = new LogCapture();
        await using var intake = IntakeThroughProxy(logs); // the proxy is down: no broker for this service
        using var client = await intake.ClientForAsync();

        var response = await client.PostCaseAsync(CaseRequests.Valid());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<RegisteredCase>())!;
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(intake.DatabaseConnectionString,
            "select count(*) from cases where id = @Id", new { created.Id }));
        // The relay has tried to publish it and failed: only now does "not published" say something.
        await TestDatabase.EventuallyAsync(() => Task.FromResult(logs.Lines.Any(line => line.Contains("Outbox relay failed", StringComparison.Ordinal))),
            "the relay has tried and failed to publish", TimeSpan.FromSeconds(60));
        Assert.Equal(1, await UnsentEventsAsync());
        Assert.Empty(probe.Received<CaseRegistered>(m => m.CaseId == created.Id));

        brokerLink.Start();

        await probe.WaitForAsync<CaseRegistered>(m => m.CaseId == created.Id, TimeSpan.FromSeconds(60));
        await TestDatabase.EventuallyAsync(async () => await UnsentEventsAsync() == 0, "the event is marked sent");
        // A second publish of the first event would have left before this later one: once it has arrived, count.
        var marker = (await (await client.PostCaseAsync(CaseRequests.Valid())).Content.ReadFromJsonAsync<RegisteredCase>())!;
        await probe.WaitForAsync<CaseRegistered>(m => m.CaseId == marker.Id, TimeSpan.FromSeconds(60));
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
