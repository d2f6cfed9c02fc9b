using System.Data.Common;
using Npgsql;
using Relief.ServiceDefaults.Messaging;

namespace Relief.ServiceDefaults.Data;

/// <summary>
/// One transaction on the service's database. Events go into the outbox inside it, so a change and the
/// events it causes are committed together or not at all; committing wakes the relay.
/// </summary>
public sealed class UnitOfWork : IAsyncDisposable
{
    private readonly OutboxSignal signal;
    private bool wroteEvents;

    private UnitOfWork(NpgsqlConnection connection, NpgsqlTransaction transaction, OutboxSignal signal)
    {
        Connection = connection;
        Transaction = transaction;
        this.signal = signal;
    }

    public NpgsqlConnection Connection { get; }
    public DbTransaction Transaction { get; }

    internal static async Task<UnitOfWork> BeginAsync(NpgsqlDataSource dataSource, OutboxSignal signal, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return new UnitOfWork(connection, transaction, signal);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Adds an event to the outbox; it is published after <see cref="CommitAsync"/>, never before.</summary>
    public async Task PublishAsync<TEvent>(TEvent @event, CancellationToken cancellationToken) where TEvent : class
    {
        await Outbox.AddAsync(this, @event, cancellationToken);
        wroteEvents = true;
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await Transaction.CommitAsync(cancellationToken);
        if (wroteEvents)
        {
            signal.Notify();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}

/// <summary>Begins units of work on the service's own database.</summary>
public sealed class UnitOfWorkFactory(NpgsqlDataSource dataSource, OutboxSignal signal)
{
    public Task<UnitOfWork> BeginAsync(CancellationToken cancellationToken) =>
        UnitOfWork.BeginAsync(dataSource, signal, cancellationToken);
}
