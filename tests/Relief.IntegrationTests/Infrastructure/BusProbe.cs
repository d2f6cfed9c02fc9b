using System.Collections.Concurrent;
using MassTransit;
using Relief.FamilySearch.Contracts;
using Relief.Identity.Contracts;
using Relief.Intake.Contracts;
using Relief.Referral.Contracts;
using Relief.Registry.Contracts;

namespace Relief.IntegrationTests.Infrastructure;

/// <summary>
/// A MassTransit bus of the test's own on the real broker: it sees every Relief event published on the
/// virtual host, and publishes events as another service would (with a chosen MessageId, to redeliver).
/// </summary>
public sealed class BusProbe : IAsyncDisposable
{
    private readonly ConcurrentQueue<ConsumeContext> received = new();
    private readonly ConcurrentDictionary<ConsumeContext, string?> traceIds = new();
    private IBusControl bus = null!;

    public static async Task<BusProbe> StartAsync(Uri amqp)
    {
        var probe = new BusProbe();
        probe.bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(amqp);
            rabbit.ReceiveEndpoint($"probe-{Guid.NewGuid():N}", endpoint =>
            {
                endpoint.AutoDelete = true;
                endpoint.Durable = false;
                endpoint.Handler<CaseRegistered>(probe.Record);
                endpoint.Handler<ReferralRequested>(probe.Record);
                endpoint.Handler<CaseClassified>(probe.Record);
                endpoint.Handler<IdentityConfirmed>(probe.Record);
                endpoint.Handler<CaseUpdated>(probe.Record);
                endpoint.Handler<CaseClosed>(probe.Record);
                endpoint.Handler<ServicePointChanged>(probe.Record);
                endpoint.Handler<ReferralAccepted>(probe.Record);
                endpoint.Handler<ReferralRejected>(probe.Record);
                endpoint.Handler<ReferralStatusChanged>(probe.Record);
                endpoint.Handler<ReferralCompleted>(probe.Record);
                endpoint.Handler<ReferralOverdue>(probe.Record);
                endpoint.Handler<ReliefActionRecorded>(probe.Record);
                endpoint.Handler<ReliefActionVoided>(probe.Record);
                endpoint.Handler<OfficeChanged>(probe.Record);
                endpoint.Handler<Relief.FamilySearch.Contracts.NoticeDrafted>(probe.Record);
                endpoint.Handler<Relief.FamilySearch.Contracts.NoticePublished>(probe.Record);
                endpoint.Handler<Relief.FamilySearch.Contracts.NoticeWithdrawn>(probe.Record);
                endpoint.Handler<Relief.FamilySearch.Contracts.NoticeOverdue>(probe.Record);
                endpoint.Handler<Relief.FamilySearch.Contracts.PoliceRequestOverdue>(probe.Record);
                endpoint.Handler<Relief.FamilySearch.Contracts.ReunionConfirmed>(probe.Record);
            });
        });
        await probe.bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return probe;
    }

    /// <summary>Every message body as it crossed the broker, headers included.</summary>
    public ConcurrentQueue<string> RawMessages { get; } = new();

    private Task Record(ConsumeContext context)
    {
        RawMessages.Enqueue(System.Text.Encoding.UTF8.GetString(context.ReceiveContext.Body.GetBytes()) + " " +
            string.Join("; ", context.ReceiveContext.TransportHeaders.GetAll().Select(h => $"{h.Key}={h.Value}")));
        // The consume activity continues the publisher's trace (MassTransit carries it in a header).
        traceIds[context] = System.Diagnostics.Activity.Current?.TraceId.ToHexString();
        received.Enqueue(context);
        return Task.CompletedTask;
    }

    /// <summary>The trace id the message arrived under.</summary>
    public string? TraceIdOf(ConsumeContext context) => traceIds.GetValueOrDefault(context);

    public IReadOnlyList<ConsumeContext<T>> Received<T>(Func<T, bool> match) where T : class =>
        received.OfType<ConsumeContext<T>>().Where(c => match(c.Message)).ToList();

    /// <summary>Waits for an event matching <paramref name="match"/>; fails the test after the timeout.</summary>
    public async Task<ConsumeContext<T>> WaitForAsync<T>(Func<T, bool> match, TimeSpan? timeout = null) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (Received(match) is [var found, ..])
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No {typeof(T).Name} matching the condition arrived within the timeout.");
    }

    /// <summary>Publishes as a service's outbox relay does: the same id on a redelivery.</summary>
    public Task PublishAsync<T>(T message, Guid messageId) where T : class =>
        bus.Publish(message, context => context.MessageId = messageId);

    public async ValueTask DisposeAsync() => await bus.StopAsync();
}
