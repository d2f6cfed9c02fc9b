using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Npgsql;
using Relief.ServiceDefaults.Messaging;

namespace Relief.ServiceDefaults.Data;

/// <summary>
/// The writes of one change — and the events it causes, as outbox rows — sent to the database together in one round
/// trip (an <see cref="NpgsqlBatch"/>) when <see cref="CommitAsync"/> is called, and committed together or not at all:
/// PostgreSQL runs a batch without an explicit transaction as one implicit transaction, so a failing statement rolls back
/// every other. Committing wakes the relay. A change that must read and lock before it writes begins its own
/// transaction and commits the unit inside it (<see cref="CommitAsync(NpgsqlTransaction, CancellationToken)"/>).
/// </summary>
/// <remarks>
/// One round trip instead of a BEGIN, a round trip per statement and a COMMIT: on the registration path that was four
/// round trips per case, and as many again in every consumer (README, Performance).
/// </remarks>
public sealed class UnitOfWork
{
    private readonly NpgsqlDataSource dataSource;
    private readonly OutboxSignal signal;
    private readonly List<NpgsqlBatchCommand> commands = [];
    private readonly List<NpgsqlBatchCommand> mustChangeOneRow = [];
    private NpgsqlBatchCommand? returning;
    private bool writesEvents;
    private bool sentBefore;

    internal UnitOfWork(NpgsqlDataSource dataSource, OutboxSignal signal)
    {
        this.dataSource = dataSource;
        this.signal = signal;
    }

    /// <summary>Adds a statement; its parameters are the public properties of <paramref name="parameters"/> (<c>@Name</c>).</summary>
    public void Write(string sql, object? parameters = null)
    {
        var command = new NpgsqlBatchCommand(sql);
        if (parameters is not null)
        {
            StatementParameters.AddTo(command.Parameters, parameters);
        }

        commands.Add(command);
    }

    /// <summary>A statement with the parameters of two objects (their names must differ).</summary>
    internal void Write(string sql, object parameters, object moreParameters)
    {
        Write(sql, parameters);
        StatementParameters.AddTo(commands[^1].Parameters, moreParameters);
    }

    /// <summary>
    /// Adds a statement that must change exactly one row — an update on the version the caller read (optimistic
    /// concurrency). If it changes none, nothing of the unit takes effect and <see cref="CommitAsync"/> throws
    /// <see cref="StaleVersionException"/>.
    /// </summary>
    public void WriteOne(string sql, object parameters)
    {
        Write(sql, parameters);
        mustChangeOneRow.Add(commands[^1]);
    }

    /// <summary>
    /// Adds the one statement of the unit whose result the caller needs (a number the database assigns, say): the first
    /// columns of its first row are <see cref="Returned"/> after <see cref="CommitAsync"/>. Still one round trip.
    /// </summary>
    public void WriteReturning(string sql, object parameters)
    {
        if (returning is not null)
        {
            throw new InvalidOperationException("A unit of work returns the result of one statement only.");
        }

        Write(sql, parameters);
        returning = commands[^1];
    }

    /// <summary>The first row the statement of <see cref="WriteReturning"/> returned (its columns' values), or null.</summary>
    public object?[]? Returned { get; private set; }

    /// <summary>Adds an event to the outbox; it is published after <see cref="CommitAsync"/>, never before.</summary>
    public void Publish<TEvent>(TEvent @event) where TEvent : class
    {
        Outbox.Add(this, @event);
        writesEvents = true;
    }

    /// <summary>
    /// Adds an event whose payload also carries what the database assigns in this unit (the number counted for a row an
    /// earlier statement of the unit inserts): <paramref name="addedFields"/> is a SQL expression of type jsonb whose keys
    /// are merged over the event's, with the parameters of <paramref name="parameters"/> (not named Id, MessageType,
    /// Payload or Traceparent: the outbox row's own).
    /// </summary>
    public void Publish<TEvent>(TEvent @event, string addedFields, object parameters) where TEvent : class
    {
        Outbox.Add(this, @event, addedFields, parameters);
        writesEvents = true;
    }

    /// <summary>Sends every statement in one round trip; they all take effect, or — on any error — none does.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (commands.Count == 0)
        {
            return;
        }

        Renew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Only a unit with a version check needs an explicit transaction: it must be able to undo the others.
        await using var transaction = mustChangeOneRow.Count > 0 ? await connection.BeginTransactionAsync(cancellationToken) : null;
        await ExecuteAsync(connection, transaction, cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        Committed();
    }

    /// <summary>
    /// Sends every statement in one round trip inside the caller's transaction, then commits it: for a change that must
    /// read — and lock — before it decides what to write (a case's classification, serialised on the case's row). What
    /// the caller wrote in the transaction before commits with the unit, or nothing does.
    /// </summary>
    public async Task CommitAsync(NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (commands.Count > 0)
        {
            await ExecuteAsync(transaction.Connection!, transaction, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        Committed();
    }

    private async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }

        if (returning is null)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        else
        {
            // Npgsql gives a result set only to the statements that return rows: this unit's one is the first.
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                Returned = new object?[reader.FieldCount];
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    Returned[i] = await reader.IsDBNullAsync(i, cancellationToken) ? null : reader.GetValue(i);
                }
            }
            while (await reader.NextResultAsync(cancellationToken))
            {
                // drain: the other statements' errors surface here, before the commit is taken as done
            }
        }

        if (transaction is not null && mustChangeOneRow.Any(command => command.RecordsAffected != 1))
        {
            await transaction.RollbackAsync(cancellationToken);
            throw new StaleVersionException();
        }
    }

    /// <summary>
    /// Commits several units in one transaction and one round trip (group commit, see <see cref="GroupCommit"/>): all take
    /// effect or none does. Each unit's <see cref="Returned"/> is its own statement's row, read in order. Units with a
    /// version check are not taken: they must be able to fail alone.
    /// </summary>
    internal static async Task CommitTogetherAsync(IReadOnlyList<UnitOfWork> units, CancellationToken cancellationToken)
    {
        if (units.Any(unit => unit.mustChangeOneRow.Count > 0))
        {
            throw new InvalidOperationException("A unit with a version check commits alone.");
        }

        await using var connection = await units[0].dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            foreach (var unit in units)
            {
                unit.Renew();
                unit.sentBefore = true;
            }

            foreach (var command in units.SelectMany(unit => unit.commands))
            {
                batch.BatchCommands.Add(command);
            }

            // Npgsql gives a result set only to the statements that return rows: one per unit that asked, in order.
            var returning = units.Where(unit => unit.returning is not null).ToList();
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            var next = 0;
            do
            {
                if (next < returning.Count && await reader.ReadAsync(cancellationToken))
                {
                    var values = new object?[reader.FieldCount];
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        values[i] = await reader.IsDBNullAsync(i, cancellationToken) ? null : reader.GetValue(i);
                    }

                    returning[next].Returned = values;
                }

                next++;
            }
            while (await reader.NextResultAsync(cancellationToken));

            if (returning.Any(unit => unit.Returned is null))
            {
                throw new InvalidOperationException("A unit's statement returned no row: the units commit one by one instead.");
            }
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var unit in units)
        {
            unit.Committed();
        }
    }

    /// <summary>
    /// Fresh commands for a unit sent before in a batch that failed (group commit then commits it alone): Npgsql binds a
    /// command's parameters when it sends them, and a sent command cannot be sent again.
    /// </summary>
    private void Renew()
    {
        if (!sentBefore)
        {
            return;
        }

        for (var i = 0; i < commands.Count; i++)
        {
            var sent = commands[i];
            var fresh = new NpgsqlBatchCommand(sent.CommandText);
            foreach (NpgsqlParameter parameter in sent.Parameters)
            {
                fresh.Parameters.Add(parameter.Clone());
            }

            commands[i] = fresh;
            if (ReferenceEquals(returning, sent))
            {
                returning = fresh;
            }

            var index = mustChangeOneRow.IndexOf(sent);
            if (index >= 0)
            {
                mustChangeOneRow[index] = fresh;
            }
        }

        sentBefore = false;
    }

    private void Committed()
    {
        if (writesEvents)
        {
            signal.Notify();
        }
    }
}

/// <summary>Begins units of work on the service's own database.</summary>
public sealed class UnitOfWorkFactory(NpgsqlDataSource dataSource, OutboxSignal signal)
{
    public UnitOfWork Begin() => new(dataSource, signal);
}

/// <summary>Named parameters from an object's public properties, as Dapper reads them: <c>new { Id = … }</c> → <c>@Id</c>.</summary>
public static class StatementParameters
{
    /// <summary>Adds a statement to a batch: several statements, one round trip.</summary>
    public static NpgsqlBatch Add(this NpgsqlBatch batch, string sql, object? parameters = null)
    {
        var command = new NpgsqlBatchCommand(sql);
        if (parameters is not null)
        {
            AddTo(command.Parameters, parameters);
        }

        batch.BatchCommands.Add(command);
        return batch;
    }

    private static readonly ConcurrentDictionary<Type, (string Name, Func<object, object?> Read)[]> Readers = new();

    public static void AddTo(NpgsqlParameterCollection parameters, object values)
    {
        foreach (var (name, read) in Readers.GetOrAdd(values.GetType(), ReadersOf))
        {
            parameters.Add(new NpgsqlParameter(name, read(values) ?? DBNull.Value));
        }
    }

    private static (string Name, Func<object, object?> Read)[] ReadersOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.CanRead && property.GetIndexParameters().Length == 0)
            .Select(property => (property.Name, Compile(type, property)))
            .ToArray();

    private static Func<object, object?> Compile(Type type, PropertyInfo property)
    {
        var instance = Expression.Parameter(typeof(object));
        return Expression.Lambda<Func<object, object?>>(
            Expression.Convert(Expression.Property(Expression.Convert(instance, type), property), typeof(object)), instance).Compile();
    }
}

/// <summary>The row was changed by someone else since the caller read it (or is gone): nothing was written.</summary>
public sealed class StaleVersionException() : Exception("The record was changed by someone else; read it again.");
