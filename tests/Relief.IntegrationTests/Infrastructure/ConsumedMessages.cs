using System.Collections.Concurrent;
using MassTransit;

namespace Relief.IntegrationTests.Infrastructure;

/// <summary>
/// Every delivery a service under test finished handling — consumed, skipped as a duplicate, or failed — by message id,
/// so a negative check ("no second referral") can first wait until the message that could cause it has been handled.
/// </summary>
public sealed class ConsumedMessages : IConsumeObserver
{
    private readonly ConcurrentDictionary<Guid, int> handled = new();
    private readonly ConcurrentDictionary<Guid, int> faulted = new();

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        Count(handled, context);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
    {
        Count(faulted, context);
        return Task.CompletedTask;
    }

    /// <summary>How many deliveries of the message finished without a fault.</summary>
    public int Handled(Guid messageId) => handled.GetValueOrDefault(messageId);

    /// <summary>How many attempts at the message ended in a fault (retries included).</summary>
    public int Faulted(Guid messageId) => faulted.GetValueOrDefault(messageId);

    /// <summary>Waits until <paramref name="deliveries"/> deliveries of the message have been handled.</summary>
    public Task WaitForAsync(Guid messageId, int deliveries = 1, TimeSpan? timeout = null) =>
        TestDatabase.EventuallyAsync(() => Task.FromResult(Handled(messageId) >= deliveries),
            $"{deliveries} deliveries of message {messageId} are handled", timeout);

    private static void Count(ConcurrentDictionary<Guid, int> counts, ConsumeContext context)
    {
        if (context.MessageId is { } id)
        {
            counts.AddOrUpdate(id, 1, (_, count) => count + 1);
        }
    }
}
