using MassTransit;
using Relief.Intake.Contracts;

namespace Relief.Registry.Persons;

/// <summary>
/// Puts every registered case on the register of persons: reads the case's person from Intake (the bus carries no
/// identity data), then links it to the person it belongs to or records a new one. Intake unreachable is a transient
/// fault: the message is retried, and waits, until it answers.
/// </summary>
public sealed partial class CaseRegisteredConsumer(IntakeCases intake, PersonRegister register, ILogger<CaseRegisteredConsumer> logger)
    : IConsumer<CaseRegistered>
{
    public async Task Consume(ConsumeContext<CaseRegistered> context)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException("A message without a MessageId cannot be de-duplicated.");
        var person = await intake.GetPersonAsync(context.Message.CaseId, context.CancellationToken);
        if (!await register.RecordCaseAsync(messageId, context.Message, person, context.CancellationToken))
        {
            LogDuplicate(logger, messageId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "registry.case-registered already handled message {MessageId}; skipped")]
    private static partial void LogDuplicate(ILogger logger, Guid messageId);
}
