namespace Relief.ServiceDefaults.Concurrency;

/// <summary>
/// Wakes a background worker when there is work for it (events committed, deltas written), so it does not wait for its
/// next poll; the poll stays as the safety net for work written by another instance or before a restart.
/// </summary>
/// <remarks>
/// Notified once per committed unit of work, on the request path: it must cost nothing when the worker is already
/// awake. Completing an already-completed task is a no-op (a semaphore at its maximum threw an exception instead, about
/// one per request under load).
/// </remarks>
public class WakeSignal
{
    private TaskCompletionSource signalled = NewSignal();

    public void Notify() => Volatile.Read(ref signalled).TrySetResult();

    /// <summary>
    /// Waits until notified or the timeout passes, then re-arms: a notification after this returns wakes the next wait,
    /// so a worker that looks for work only after this returns never misses any.
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
