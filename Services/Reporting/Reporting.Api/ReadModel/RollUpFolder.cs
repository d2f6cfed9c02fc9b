using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Relief.ServiceDefaults.Concurrency;

namespace Relief.Reporting.ReadModel;

public sealed class RollUpOptions
{
    /// <summary>How long the fold waits after a consumer wrote: the deltas of that moment's consumers go in one fold.</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often it folds when nothing woke it: deltas another instance wrote, or left by a stop.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Moves the roll-ups' deltas, which the read model's triggers append in the consumers' transactions, into the monthly
/// roll-ups (migration 0012, <c>report_roll_ups_fold()</c>): woken by the consumers, a second after they wrote, and before
/// every summary is read (<see cref="FoldAsync"/>), so the counters every case of a point and month shares are updated by
/// one transaction at a time instead of by every consumer.
/// </summary>
public sealed partial class RollUpFolder(NpgsqlDataSource db, IOptions<RollUpOptions> options, ILogger<RollUpFolder> logger)
    : BackgroundService
{
    private readonly WakeSignal signal = new();

    /// <summary>A consumer committed deltas.</summary>
    public void Notify() => signal.Notify();

    /// <summary>Folds every delta committed so far; after it, the roll-ups count every row written before it began.</summary>
    public static Task FoldAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("select report_roll_ups_fold()", cancellationToken: cancellationToken));

    /// <summary>
    /// The same, for a reader about to read the roll-ups — unless a rebuild is under way (migration 0013): the reader then
    /// reads them as they were before it, instead of waiting for the whole rebuild.
    /// </summary>
    public static Task FoldUnlessRebuildingAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("select report_roll_ups_fold_unless_rebuilding()", cancellationToken: cancellationToken));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using (var connection = await db.OpenConnectionAsync(stoppingToken))
                {
                    await FoldAsync(connection, stoppingToken);
                }

                failures = 0;
                await signal.WaitAsync(settings.PollInterval, stoppingToken);
                await Task.Delay(settings.Linger, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The deltas stay where they are: the next fold (or a summary's) moves them. A database that is away is
                // tried again after pauses that double, up to the poll interval, not every second.
                failures++;
                var pause = TimeSpan.FromTicks(Math.Min(settings.PollInterval.Ticks, settings.Linger.Ticks << Math.Min(failures, 16)));
                LogFailed(logger, e.GetType().Name, pause.TotalSeconds);
                await Task.Delay(pause, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Folding the roll-ups' deltas failed ({ExceptionType}); tried again in {PauseSeconds} s")]
    private static partial void LogFailed(ILogger logger, string exceptionType, double pauseSeconds);
}
