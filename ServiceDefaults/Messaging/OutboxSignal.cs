namespace Relief.ServiceDefaults.Messaging;

/// <summary>
/// Wakes the relay as soon as a unit of work commits events, so publishing does not wait for the next poll.
/// The poll stays as the safety net for events committed by another instance or before a restart.
/// </summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Notify()
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the relay will look once and find everything.
        }
    }

    public void Dispose() => signal.Dispose();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        signal.WaitAsync(timeout, cancellationToken);
}
