using System.Net;
using System.Net.Http.Json;
using Relief.Intake;
using Relief.Intake.Cases;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.IntegrationTests.Intake;

namespace Relief.IntegrationTests.Resilience;

/// <summary>
/// A broker that lost its queues (a new, empty data folder) confirms a message nobody is bound for and drops it. The
/// relay publishes as mandatory: such an event stays unsent and is tried again until a consumer's queue exists.
/// </summary>
public sealed class UnroutableEventsTests : IAsyncLifetime
{
    private TestVirtualHost virtualHost = null!;

    public async Task InitializeAsync() => virtualHost = await TestVirtualHost.CreateAsync();

    [Fact]
    public async Task An_event_no_queue_is_bound_for_is_not_marked_sent_and_is_delivered_once_a_consumer_binds()
    {
        // Nobody consumes CaseRegistered on this virtual host yet: no Registry, no probe.
        await using var intake = new ServiceHost<IntakeApi>("intakedb", TestInfrastructure.NewName("intakedb"), virtualHost.AmqpUri,
            new Dictionary<string, string> { ["Outbox:MaxRetryDelay"] = "00:00:01", ["Outbox:MaxAttempts"] = "3" });
        using var client = await intake.ClientForAsync();
        var created = (await (await client.PostCaseAsync(CaseRequests.Valid())).Content.ReadFromJsonAsync<RegisteredCase>())!;

        // Returned by the broker several times — more than the attempts after which an unpublishable row is set aside.
        await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<int>(intake.DatabaseConnectionString,
            "select attempts from outbox_messages where payload->>'caseId' = @Id", new { Id = created.Id.ToString() }) >= 4,
            "the broker has returned the event several times");
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(intake.DatabaseConnectionString, """
            select count(*) from outbox_messages
            where payload->>'caseId' = @Id and sent_at is null and set_aside_at is null and last_error like 'Unroutable%'
            """, new { Id = created.Id.ToString() }));

        await using var probe = await BusProbe.StartAsync(virtualHost.AmqpUri);

        await probe.WaitForAsync<CaseRegistered>(m => m.CaseId == created.Id, TimeSpan.FromSeconds(60));
        await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(intake.DatabaseConnectionString,
            "select count(*) from outbox_messages where sent_at is null") == 0, "the event is marked sent");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri($"/api/cases/{created.Id}", UriKind.Relative))).StatusCode);
    }

    public async Task DisposeAsync() => await virtualHost.DisposeAsync();
}
