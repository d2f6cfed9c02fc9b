using System.Diagnostics;
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
/// relay publishes as mandatory: such an event stays unsent and is tried again until a consumer's queue exists. Each
/// failed attempt leaves an "outbox relay" span with the reason in the case's trace; the send that gets through is a
/// child of the span that wrote the row, with no relay span between.
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

    [Fact]
    public async Task A_failed_publish_leaves_a_failed_relay_span_and_the_send_that_succeeds_is_a_child_of_the_request()
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var capture = new SpanCapture();
        IReadOnlyList<Activity> Spans() => capture.Of(traceId);

        // Nobody consumes CaseRegistered on this virtual host yet: the broker returns the event (unroutable).
        await using var intake = new ServiceHost<IntakeApi>("intakedb", TestInfrastructure.NewName("intakedb"), virtualHost.AmqpUri,
            new Dictionary<string, string> { ["Outbox:MaxRetryDelay"] = "00:00:01" });
        using var client = await intake.ClientForAsync();
        client.DefaultRequestHeaders.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        var created = (await (await client.PostCaseAsync(CaseRequests.Valid())).Content.ReadFromJsonAsync<RegisteredCase>())!;
        Assert.Equal(traceId.ToHexString(), created.TraceId);

        await TestDatabase.EventuallyAsync(() => Task.FromResult(Spans().Any(span => span.DisplayName == "outbox relay")),
            "the relay's failed attempt is in the case's trace");
        var failed = Spans().First(span => span.DisplayName == "outbox relay");
        Assert.Equal((ActivityStatusCode.Error, "unroutable"), (failed.Status, failed.StatusDescription));

        await using var probe = await BusProbe.StartAsync(virtualHost.AmqpUri);
        await probe.WaitForAsync<CaseRegistered>(m => m.CaseId == created.Id, TimeSpan.FromSeconds(60));
        await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(intake.DatabaseConnectionString,
            "select count(*) from outbox_messages where sent_at is null") == 0, "the event is marked sent");

        // The span that wrote the row is the parent the row remembers; the send that got through hangs from it directly.
        var writer = ActivityContext.Parse(await TestDatabase.ScalarAsync<string>(intake.DatabaseConnectionString,
            "select traceparent from outbox_messages where payload->>'caseId' = @Id", new { Id = created.Id.ToString() }), null);
        Assert.Equal(traceId, writer.TraceId);
        static bool IsMassTransit(Activity span, string operation) =>
            span.Source.Name == "MassTransit" && span.DisplayName.EndsWith(operation, StringComparison.Ordinal);
        await TestDatabase.EventuallyAsync(() => Task.FromResult(Spans().Any(span => IsMassTransit(span, " receive"))),
            "the probe's receive span has ended");
        // Every send (the broker returned the earlier ones) hangs from it directly, and the consumer from the one that got through.
        var sends = Spans().Where(span => IsMassTransit(span, " send")).ToList();
        Assert.NotEmpty(sends);
        Assert.All(sends, span => Assert.Equal(writer.SpanId, span.ParentSpanId));
        var receive = Spans().First(span => IsMassTransit(span, " receive"));
        Assert.Contains(sends, span => span.SpanId == receive.ParentSpanId);
        // Only failed attempts leave a relay span.
        Assert.All(Spans().Where(span => span.DisplayName == "outbox relay"), span => Assert.Equal(ActivityStatusCode.Error, span.Status));
    }

    public async Task DisposeAsync() => await virtualHost.DisposeAsync();
}
