namespace Relief.ServiceDefaults.Messaging;

/// <summary>
/// Wakes the relay as soon as a unit of work commits events, so publishing does not wait for the next poll.
/// The poll stays as the safety net for events committed by another instance or before a restart.
/// </summary>
/// <remarks>
/// Called once per committed unit of work, on the request path: it must cost nothing when the relay is already
/// awake. Completing an already-completed task is a no-op (a semaphore at its maximum threw an exception instead, about
/// one per request under load).
/// </remarks>
public sealed class OutboxSignal
{
    private TaskCompletionSource signalled = NewSignal();

    public void Notify() => Volatile.Read(ref signalled).TrySetResult();

    /// <summary>
    /// Waits until notified or the timeout passes, then re-arms: a commit after this returns wakes the next wait, so
    /// the relay, which looks for rows only after this returns, never misses one.
    /// </summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref signalled);
        try
        {
            await current.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // The poll: look anyway.
        }

        Interlocked.CompareExchange(ref signalled, NewSignal(), current);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
