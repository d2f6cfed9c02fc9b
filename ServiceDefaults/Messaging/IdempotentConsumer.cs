using MassTransit;
using Microsoft.Extensions.Logging;
using Npgsql;
using Relief.ServiceDefaults.Data;

namespace Relief.ServiceDefaults.Messaging;

/// <summary>
/// A consumer whose effects happen at most once per message: the message id goes into the inbox in the same unit of
/// work as the effects (and any events they cause), ahead of them. A redelivery's inbox row collides with the first
/// one's, which rolls the whole unit back — nothing of it happens twice. A concurrent duplicate waits on that row until
/// the first commits, then collides. Any other failure rolls everything back and lets MassTransit retry (transient
/// faults) or move the message to the _error queue (permanent ones).
/// </summary>
public abstract partial class IdempotentConsumer<TMessage>(UnitOfWorkFactory units, ILogger logger) : IConsumer<TMessage>
    where TMessage : class
{
    private const string RecordHandled = "insert into inbox_messages (message_id, consumer) values (@MessageId, @Consumer)";
    private const string InboxKey = "inbox_messages_pkey";

    /// <summary>The consumer's name in the inbox; stable across refactorings, or redeliveries would repeat.</summary>
    protected abstract string InboxName { get; }

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException("A message without a MessageId cannot be de-duplicated.");

        var unit = units.Begin();
        unit.Write(RecordHandled, new { MessageId = messageId, Consumer = InboxName });
        await HandleAsync(context.Message, unit, context.CancellationToken);
        try
        {
            await unit.CommitAsync(context.CancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == InboxKey)
        {
            LogDuplicate(logger, InboxName, messageId);
            return;
        }

        Committed(context.Message);
    }

    /// <summary>Runs after the consumer's effects committed (not for a duplicate): for caches of what was written.</summary>
    protected virtual void Committed(TMessage message)
    {
    }

    /// <summary>
    /// The consumer's effects, written into the unit of work that also records the message as handled. A consumer
    /// overrides this or, when it must read before it decides what to write, <see cref="HandleAsync"/>.
    /// </summary>
    protected virtual void Handle(TMessage message, UnitOfWork unit) =>
        throw new NotSupportedException($"{GetType().Name} overrides neither Handle nor HandleAsync.");

    /// <summary>
    /// For a consumer that must read before it writes (a local copy it addresses by, say): reads what it needs, then
    /// writes into the unit. The reads take no locks: a redelivery reads again and collides in the inbox like any other.
    /// </summary>
    protected virtual Task HandleAsync(TMessage message, UnitOfWork unit, CancellationToken cancellationToken)
    {
        Handle(message, unit);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Consumer} already handled message {MessageId}; skipped")]
    private static partial void LogDuplicate(ILogger logger, string consumer, Guid messageId);
}
