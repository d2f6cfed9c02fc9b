namespace Relief.ServiceDefaults.Concurrency;

/// <summary>
/// The loop of a background service that does one pass of work at every interval (retention, pruning, deadlines, key
/// refreshes): a pass that fails is reported and the next one is tried at the next tick — a failure never ends the
/// service — and stopping ends the wait, not a pass half-way through its transaction.
/// </summary>
public static class PeriodicPass
{
    /// <param name="interval">Time between the starts of two passes.</param>
    /// <param name="pass">One pass.</param>
    /// <param name="failed">Reports a pass that threw (by the exception's type only: a message may quote data).</param>
    /// <param name="firstPassAtOnce">A pass at start, before the first interval has passed.</param>
    /// <param name="clock">The clock the timer runs on (tests move a fake one).</param>
    public static async Task RunAsync(TimeSpan interval, Func<CancellationToken, Task> pass, Action<Exception> failed,
        CancellationToken stoppingToken, bool firstPassAtOnce = true, TimeProvider? clock = null)
    {
        // Made before the first pass: a clock moved on while that pass ran wakes the next one.
        using var timer = new PeriodicTimer(interval, clock ?? TimeProvider.System);
        if (!firstPassAtOnce && !await timer.WaitForNextTickAsync(stoppingToken))
        {
            return;
        }

        do
        {
            try
            {
                await pass(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                failed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
