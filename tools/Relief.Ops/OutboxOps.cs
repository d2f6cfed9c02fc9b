using Dapper;
using Npgsql;

namespace Relief.Ops;

/// <summary>The outbox rows a service set aside (they could not be published), and putting them back in line.</summary>
public static class OutboxOps
{
    public sealed record SetAsideRow(Guid Id, string MessageType, int Attempts, string? LastError, DateTime CreatedAt, DateTime SetAsideAt);

    /// <summary>
    /// Properties, not a positional record: Dapper matches a constructor by exact column types, and a backlog's oldest
    /// row is a (non-null) timestamp that would not match <c>DateTime?</c> — the command failed whenever events waited.
    /// </summary>
    public sealed class Backlog
    {
        public long Unsent { get; init; }
        public long SetAside { get; init; }
        public DateTime? OldestUnsent { get; init; }
    }

    public static async Task<Backlog> BacklogAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.QuerySingleAsync<Backlog>(new CommandDefinition("""
            select count(*) filter (where set_aside_at is null) as unsent,
                   count(*) filter (where set_aside_at is not null) as set_aside,
                   min(created_at) filter (where set_aside_at is null) as oldest_unsent
            from outbox_messages where sent_at is null
            """, cancellationToken: cancellationToken));
    }

    public static async Task<IReadOnlyList<SetAsideRow>> SetAsideAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return (await connection.QueryAsync<SetAsideRow>(new CommandDefinition("""
            select id, message_type, attempts, last_error, created_at, set_aside_at
            from outbox_messages where set_aside_at is not null and sent_at is null
            order by created_at
            """, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// Puts set-aside rows (all, or those of <paramref name="ids"/>) back in line with a fresh count of attempts; the
    /// relay publishes them at its next pass. Returns how many were re-queued.
    /// </summary>
    public static async Task<int> RequeueAsync(string connectionString, IReadOnlyCollection<Guid>? ids, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteAsync(new CommandDefinition("""
            update outbox_messages
            set set_aside_at = null, next_attempt_at = null, attempts = 0, last_error = null
            where set_aside_at is not null and sent_at is null and (@All or id = any(@Ids))
            """, new { All = ids is null || ids.Count == 0, Ids = ids?.ToArray() ?? [] }, cancellationToken: cancellationToken));
    }
}
