using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.ServiceDefaults.Data;

/// <summary>
/// Group commit: units of work that would each take the same row lock — a county's case-number counter — are committed
/// several at a time, in one transaction and one round trip, by one writer. A gap-free counter can only be taken by one
/// transaction at a time, and each holds it through its commit's flush to disk; one county's registrations were therefore
/// one commit after another (README, Performance: one county did half the registrations per second of thirteen). Taken
/// together, the units of one batch share the lock and the flush. The counter stays gap-free: a batch commits whole or
/// not at all.
/// </summary>
/// <remarks>
/// Under no load a unit is committed alone at once; under load the writer takes whatever has queued while the previous
/// batch was committing (up to <see cref="MaxBatch"/>), ordered by its key so that writers in two processes take the
/// counters' locks in one order. If a batch fails, its units are committed one by one, so that each request meets only its
/// own failure (a reused idempotency key, say) and the others are kept.
/// </remarks>
public sealed partial class GroupCommit : IAsyncDisposable
{
    private const int MaxBatch = 64;

    /// <summary>The span of one batch: the database's own span is left out (GroupCommit.IsGroupCommit).</summary>
    public const string ActivityName = "group commit";

    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger<GroupCommit> logger;
    private readonly Task writer;

    public GroupCommit(ILogger<GroupCommit> logger)
    {
        this.logger = logger;
        // Not in the context of the request that happened to resolve it first: the writer outlives that request.
        using (ExecutionContext.SuppressFlow())
        {
            writer = Task.Run(WriteAsync);
        }
    }

    /// <summary>
    /// Commits the unit with others queued beside it. Not cancellable once queued: a client that hangs up must not decide
    /// whether its case is kept (its retry with the same idempotency key finds it).
    /// </summary>
    public Task CommitAsync(UnitOfWork unit, string key)
    {
        var pending = new Pending(unit, key, Activity.Current?.Context ?? default,
            new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommit), "The service is stopping.");
        }

        return pending.Done.Task;
    }

    private async Task WriteAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            batch.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            // One trace per batch, linked to the requests it commits. Npgsql's span of the batch would carry the text of
            // every statement of every unit — tens of kilobytes a batch under load, built as a string in this process
            // and stored by the dashboard (a fifth of intake's allocations) — so it is left out, and this span times it.
            using var activity = ReliefTelemetry.ActivitySource.StartActivity(ActivityName, ActivityKind.Client, parentContext: default,
                links: batch.Where(pending => pending.Caller != default).Select(pending => new ActivityLink(pending.Caller)));
            activity?.SetTag("db.system", "postgresql");
            activity?.SetTag("relief.group_commit.units", batch.Count);
            if (batch.Count > 1)
            {
                try
                {
                    await UnitOfWork.CommitTogetherAsync([.. batch.Select(pending => pending.Unit)], CancellationToken.None);
                    batch.ForEach(pending => pending.Done.SetResult());
                    continue;
                }
                catch (Exception e)
                {
                    activity?.AddEvent(new ActivityEvent("batch failed: units committed one by one"));
                    LogBatchFailed(logger, batch.Count, e.GetType().Name);
                }
            }

            foreach (var pending in batch)
            {
                try
                {
                    await pending.Unit.CommitAsync(CancellationToken.None);
                    pending.Done.SetResult();
                }
                catch (Exception e)
                {
                    activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
                    pending.Done.SetException(e);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // What is queued is still committed: its requests are waiting for the answer.
        queue.Writer.TryComplete();
        await writer;
    }

    /// <summary>Whether the current span is a group commit's: its database batch is not traced again.</summary>
    public static bool IsGroupCommit(Activity? activity) =>
        activity is { OperationName: ActivityName } && ReferenceEquals(activity.Source, ReliefTelemetry.ActivitySource);

    private sealed record Pending(UnitOfWork Unit, string Key, ActivityContext Caller, TaskCompletionSource Done);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Count} units failed ({ExceptionType}); committing them one by one")]
    private static partial void LogBatchFailed(ILogger logger, int count, string exceptionType);
}
