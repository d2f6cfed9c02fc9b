using Dapper;
using MassTransit;
using Microsoft.Extensions.Logging;
using Relief.ServiceDefaults.Data;

namespace Relief.ServiceDefaults.Messaging;

/// <summary>
/// A consumer whose effects happen at most once per message: the message id goes into the inbox in the same
/// transaction as the effects (and any events they cause), so a redelivery finds it there and does nothing.
/// A failure rolls everything back and lets MassTransit retry, then move the message to the _error queue.
/// </summary>
public abstract partial class IdempotentConsumer<TMessage>(UnitOfWorkFactory units, ILogger logger) : IConsumer<TMessage>
    where TMessage : class
{
    private const string RecordHandled = """
        insert into inbox_messages (message_id, consumer) values (@MessageId, @Consumer)
        on conflict do nothing
        """;

    /// <summary>The consumer's name in the inbox; stable across refactorings, or redeliveries would repeat.</summary>
    protected abstract string InboxName { get; }

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException("A message without a MessageId cannot be de-duplicated.");

        await using var unit = await units.BeginAsync(context.CancellationToken);
        // A concurrent duplicate waits here on the primary key until the first commits, then inserts nothing.
        var first = await unit.Connection.ExecuteAsync(new CommandDefinition(
            RecordHandled, new { MessageId = messageId, Consumer = InboxName }, unit.Transaction,
            cancellationToken: context.CancellationToken)) == 1;
        if (!first)
        {
            LogDuplicate(logger, InboxName, messageId);
            return;
        }

        await HandleAsync(context.Message, unit, context.CancellationToken);
        await unit.CommitAsync(context.CancellationToken);
    }

    /// <summary>The consumer's effects, inside the unit of work that also records the message as handled.</summary>
    protected abstract Task HandleAsync(TMessage message, UnitOfWork unit, CancellationToken cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Consumer} already handled message {MessageId}; skipped")]
    private static partial void LogDuplicate(ILogger logger, string consumer, Guid messageId);
}
