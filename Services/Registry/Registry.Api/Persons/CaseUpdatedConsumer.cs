using MassTransit;
using Relief.Intake.Contracts;

namespace Relief.Registry.Persons;

/// <summary>
/// A case's record was completed later (补充登记): when the person's fields changed, Registry reads the person again
/// from Intake and brings the register up to date — the name or identity document learnt later fills the record in.
/// </summary>
public sealed partial class CaseUpdatedConsumer(IntakeCases intake, PersonRegister register, ILogger<CaseUpdatedConsumer> logger)
    : IConsumer<CaseUpdated>
{
    private static readonly HashSet<string> PersonFields = ["personName", "sex", "estimatedAge", "idNumber", "birthDate", "householdPlace"];

    public async Task Consume(ConsumeContext<CaseUpdated> context)
    {
        if (!context.Message.ChangedFields.Any(PersonFields.Contains))
        {
            return; // nothing the register keeps
        }

        var messageId = context.MessageId ?? throw new InvalidOperationException("A message without a MessageId cannot be de-duplicated.");
        var person = await intake.GetPersonAsync(context.Message.CaseId, context.CancellationToken);
        if (person is not null && !await register.RefreshCaseAsync(messageId, person, context.CancellationToken))
        {
            LogDuplicate(logger, messageId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "registry.case-updated already handled message {MessageId}; skipped")]
    private static partial void LogDuplicate(ILogger logger, Guid messageId);
}
