using MassTransit;
using Relief.Intake.Contracts;

namespace Relief.Benchmarks;

/// <summary>Counts arrivals and completes when a run's events are all in.</summary>
public sealed class Counter
{
    private int remaining;
    private TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Expect(int count)
    {
        done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref remaining, count);
        return done.Task;
    }

    public void Arrived()
    {
        if (Interlocked.Decrement(ref remaining) == 0)
        {
            done.TrySetResult();
        }
    }
}

public sealed class CountingConsumer(Counter counter) : IConsumer<CaseRegistered>
{
    public Task Consume(ConsumeContext<CaseRegistered> context)
    {
        counter.Arrived();
        return Task.CompletedTask;
    }
}
