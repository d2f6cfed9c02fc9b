using System.Collections.Concurrent;
using Npgsql;

namespace Relief.Notification.DutyDesk;

/// <summary>
/// Wakes the live feeds waiting on a desk when an item is posted to it. A feed takes its desk's wake-up task before it
/// reads, so an item committed between its read and its wait still wakes it; a wake-up for another point of the same
/// county wakes it for nothing but one indexed read.
/// </summary>
public sealed class DeskFeedSignal
{
    private readonly ConcurrentDictionary<(string Kind, string County), TaskCompletionSource> waiting = new();
    private TaskCompletionSource anyPosted = NewWaiter();

    private static TaskCompletionSource NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next item posted to the desks of this kind and county.</summary>
    public Task NextAsync(string kind, string county) => waiting.GetOrAdd((kind, county.Trim()), _ => NewWaiter()).Task;

    /// <summary>Completes at the next item posted to any desk (for a worker that looks at every desk).</summary>
    public Task NextOnAnyDeskAsync() => Volatile.Read(ref anyPosted).Task;

    /// <summary>An item was posted: <paramref name="payload"/> is the <see cref="DeskPost.Channel"/> notification's.</summary>
    public void Posted(string payload)
    {
        var parts = payload.Split(':');
        if (parts.Length >= 2 && waiting.TryRemove((parts[0], parts[1].Trim()), out var desk))
        {
            desk.TrySetResult();
        }

        Interlocked.Exchange(ref anyPosted, NewWaiter()).TrySetResult();
    }

    /// <summary>Every feed reads again: items may have been posted while nobody was listening.</summary>
    public void WakeAll()
    {
        foreach (var key in waiting.Keys)
        {
            if (waiting.TryRemove(key, out var desk))
            {
                desk.TrySetResult();
            }
        }

        Interlocked.Exchange(ref anyPosted, NewWaiter()).TrySetResult();
    }
}

/// <summary>
/// One connection per process that LISTENs on <see cref="DeskPost.Channel"/> and wakes the waiting feeds, however many
/// there are (a connection each would exhaust PostgreSQL's). Its own connection, outside the pool: a listening
/// connection handed back to the pool would keep receiving every notification. If it drops, it is opened again with
/// growing pauses and every feed reads once, for what was posted meanwhile; the feeds also read at every keep-alive,
/// so a lost notification delays an item by at most that.
/// </summary>
public sealed partial class DeskFeedListener(IConfiguration configuration, DeskFeedSignal signal, ILogger<DeskFeedListener> logger) : BackgroundService
{
    /// <summary>How long a quiet connection waits before it proves it is still alive.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString("notificationdb")
            ?? throw new InvalidOperationException("ConnectionStrings:notificationdb is not configured."))
        {
            Pooling = false,
            KeepAlive = 15,
        }.ConnectionString;
        var pause = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, e) => signal.Posted(e.Payload);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"listen {DeskPost.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                signal.WakeAll();
                pause = TimeSpan.FromMilliseconds(200);
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(Quiet, stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("select 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                LogLost(logger, e.GetType().Name, pause);
                try
                {
                    await Task.Delay(pause, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxPause.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for desk items failed ({Error}); listening again in {Pause}")]
    private static partial void LogLost(ILogger logger, string error, TimeSpan pause);
}
