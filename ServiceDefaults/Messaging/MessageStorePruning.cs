using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Relief.ServiceDefaults.Concurrency;

namespace Relief.ServiceDefaults.Messaging;

/// <summary>
/// Keeps the outbox and inbox from growing for ever: sent outbox rows older than <see cref="OutboxOptions.KeepSentFor"/>
/// and inbox rows older than <see cref="InboxOptions.KeepHandledFor"/> are deleted every hour, a few thousand at a time
/// so no pass holds long locks. Unsent and set-aside rows are never pruned.
/// </summary>
public sealed partial class MessageStorePruning(
    NpgsqlDataSource dataSource, IOptions<OutboxOptions> outbox, IOptions<InboxOptions> inbox, ILogger<MessageStorePruning> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private const int BatchSize = 5000;

    private const string PruneSent = """
        delete from outbox_messages where id in (
            select id from outbox_messages where sent_at < now() - @KeepFor limit @BatchSize)
        """;

    private const string PruneHandled = """
        delete from inbox_messages where (message_id, consumer) in (
            select message_id, consumer from inbox_messages where handled_at < now() - @KeepFor limit @BatchSize)
        """;

    /// <summary>One pass over both tables; returns how many rows went.</summary>
    public async Task<(int Outbox, int Inbox)> PruneAsync(CancellationToken cancellationToken) =>
        (await PruneAsync(PruneSent, outbox.Value.KeepSentFor, cancellationToken),
         await PruneAsync(PruneHandled, inbox.Value.KeepHandledFor, cancellationToken));

    private async Task<int> PruneAsync(string sql, TimeSpan keepFor, CancellationToken cancellationToken)
    {
        var total = 0;
        int pruned;
        do
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            pruned = await connection.ExecuteAsync(new CommandDefinition(sql, new { KeepFor = keepFor, BatchSize },
                cancellationToken: cancellationToken));
            total += pruned;
        }
        while (pruned == BatchSize);

        return total;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicPass.RunAsync(Interval, async cancellationToken =>
            {
                var (sent, handled) = await PruneAsync(cancellationToken);
                LogPruned(logger, sent, handled);
            },
            e => LogFailed(logger, e.GetType().Name), stoppingToken, firstPassAtOnce: false);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Sent} sent outbox row(s) and {Handled} inbox row(s)")]
    private static partial void LogPruned(ILogger logger, int sent, int handled);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning the outbox and inbox failed ({ExceptionType}); next pass in an hour")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
