namespace Relief.ServiceDefaults.Messaging;

/// <summary>
/// Notices a receive queue of this service that the broker shows without a consumer for longer than a grace, while the
/// broker answers: the service's bus has lost that consumer without noticing. MassTransit reconnects its consumers
/// after a broker restart, but sometimes does not (an acknowledgement failing as the connection dies,
/// MassTransit/MassTransit#2072 and #5692); the queue then fills and nothing consumes it until the service is
/// restarted. The health monitor feeds this what it reads from the broker and restarts the bus when told to.
/// </summary>
/// <remarks>
/// The broker's consumer count is every instance's: with several instances of a service one of them losing its
/// consumers goes unseen here (the queue is still consumed, more slowly).
/// </remarks>
public sealed class ConsumerWatchdog(TimeProvider clock)
{
    /// <summary>A queue without consumer: since when, and at how many readings in a row.</summary>
    public sealed record Consumerless(DateTimeOffset Since, int Readings);

    private readonly Dictionary<string, Consumerless> withoutConsumer = new(StringComparer.Ordinal);

    /// <summary>The queues without a consumer at the last reading; empty while all are consumed or nothing is known.</summary>
    public IReadOnlyDictionary<string, Consumerless> WithoutConsumer
    {
        get
        {
            lock (withoutConsumer)
            {
                return new Dictionary<string, Consumerless>(withoutConsumer, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>When the bus was last restarted for it; null if never.</summary>
    public DateTimeOffset? LastRestart { get; private set; }

    /// <summary>
    /// What the broker answered for each receive queue (null: no such queue, which also means no consumer). Returns the
    /// queues that have been without a consumer for longer than <paramref name="grace"/>: restart the bus for them.
    /// </summary>
    public IReadOnlyList<string> Observe(IReadOnlyDictionary<string, uint?> consumers, TimeSpan grace)
    {
        var now = clock.GetUtcNow();
        lock (withoutConsumer)
        {
            foreach (var (queue, count) in consumers)
            {
                if (count > 0)
                {
                    withoutConsumer.Remove(queue);
                }
                else
                {
                    withoutConsumer[queue] = withoutConsumer.TryGetValue(queue, out var seen)
                        ? seen with { Readings = seen.Readings + 1 }
                        : new Consumerless(now, 1);
                }
            }

            return [.. withoutConsumer.Where(queue => now - queue.Value.Since > grace).Select(queue => queue.Key).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// The broker could not be asked: nothing is known, and a queue seen without consumer before does not count its
    /// time through the outage (MassTransit reconnects by itself once the broker is back; the grace starts again).
    /// </summary>
    public void Unknown()
    {
        lock (withoutConsumer)
        {
            withoutConsumer.Clear();
        }
    }

    /// <summary>The bus was restarted: every queue gets the whole grace again to see its consumer back.</summary>
    public void Restarted()
    {
        LastRestart = clock.GetUtcNow();
        Unknown();
    }
}
