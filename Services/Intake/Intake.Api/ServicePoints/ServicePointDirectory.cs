using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Relief.Intake.ServicePoints;

public sealed class ServicePointDirectoryOptions
{
    /// <summary>
    /// How old the in-memory copy may grow before it is read again. Changes consumed by this instance show at once; this
    /// bounds how long another instance's change (competing consumers share the queue) takes to show here.
    /// </summary>
    public TimeSpan RefreshEvery { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Intake's copy of the network's points (<c>service_points</c>, kept by <see cref="ServicePointChangedConsumer"/>), held
/// in memory: every registration checks its point, and a query per case on the busiest path would cost a round trip for
/// a table that changes a few times a day. A point that is not found, or not embedded, is looked up afresh before the
/// case is refused, so a point created a moment ago is never refused for being unknown.
/// </summary>
public sealed class ServicePointDirectory(NpgsqlDataSource db, TimeProvider clock, IOptions<ServicePointDirectoryOptions> options)
    : IDisposable
{
    private static readonly TimeSpan FreshEnoughToRefuse = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim loading = new(1, 1);
    private Snapshot? snapshot;
    private long changes;

    public sealed class KnownPoint
    {
        public required string Code { get; init; }
        public required string Name { get; init; }
        public required string CountyCode { get; init; }
        public required string Status { get; init; }
    }

    private sealed record Snapshot(IReadOnlyDictionary<string, KnownPoint> Points, long Changes, DateTimeOffset LoadedAt);

    /// <summary>The point as Intake knows it now, or null when there is no such point.</summary>
    public async ValueTask<KnownPoint?> FindAsync(string code, CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(maxAge: options.Value.RefreshEvery, cancellationToken);
        if (current.Points.TryGetValue(code, out var point) && point.Status == "embedded")
        {
            return point;
        }

        // About to refuse: only on a copy read just now.
        current = await CurrentAsync(maxAge: FreshEnoughToRefuse, cancellationToken);
        return current.Points.GetValueOrDefault(code);
    }

    /// <summary>Called once a change to the copy has committed: the next lookup reads the table again.</summary>
    public void Changed() => Interlocked.Increment(ref changes);

    private async ValueTask<Snapshot> CurrentAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref snapshot);
        if (IsFresh(current, maxAge))
        {
            return current!;
        }

        await loading.WaitAsync(cancellationToken);
        try
        {
            current = Volatile.Read(ref snapshot);
            if (IsFresh(current, maxAge))
            {
                return current!; // another request loaded it while this one waited
            }

            // Read the counter first: a change committed during the query makes this snapshot stale at once.
            var seenChanges = Interlocked.Read(ref changes);
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            var points = await connection.QueryAsync<KnownPoint>(new CommandDefinition(
                "select code, name, county_code, status from service_points", cancellationToken: cancellationToken));
            current = new Snapshot(points.ToDictionary(p => p.Code, StringComparer.Ordinal), seenChanges, clock.GetUtcNow());
            Volatile.Write(ref snapshot, current);
            return current;
        }
        finally
        {
            loading.Release();
        }
    }

    private bool IsFresh(Snapshot? current, TimeSpan maxAge) =>
        current is not null && current.Changes == Interlocked.Read(ref changes) && clock.GetUtcNow() - current.LoadedAt < maxAge;

    public void Dispose() => loading.Dispose();
}
