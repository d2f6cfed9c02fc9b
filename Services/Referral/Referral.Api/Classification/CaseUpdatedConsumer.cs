using MassTransit;
using Relief.Intake.Contracts;

namespace Relief.Referral.Classification;

/// <summary>
/// 补充登记: a case's record completed later may change its classification (an illness noticed, an age learnt from an
/// ID number). Classifies the case again when a field the rules read changed; other changes (a name, a phone) are
/// passed over without asking Intake.
/// </summary>
public sealed partial class CaseUpdatedConsumer(IntakeCaseFacts intake, CaseClassification classification, ILogger<CaseUpdatedConsumer> logger)
    : IConsumer<CaseUpdated>
{
    public const string InboxName = "referral.case-updated";

    /// <summary>The fields of Intake's record the facts are made of (age from the birth date, the ID number's region …).</summary>
    public static readonly IReadOnlySet<string> FactFields =
        new HashSet<string>(["situations", "needs", "estimatedAge", "birthDate", "idNumber", "householdPlace"]);

    public async Task Consume(ConsumeContext<CaseUpdated> context)
    {
        if (!context.Message.ChangedFields.Any(FactFields.Contains))
        {
            return; // nothing the rules read
        }

        var messageId = context.MessageId
            ?? throw new InvalidOperationException("A message without a MessageId cannot be de-duplicated.");
        var facts = await intake.GetAsync(context.Message.CaseId, context.CancellationToken);
        if (!await classification.ClassifyAsync(messageId, InboxName, ClassificationTrigger.Updated, facts, context.CancellationToken))
        {
            LogDuplicate(logger, messageId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "referral.case-updated already handled message {MessageId}; skipped")]
    private static partial void LogDuplicate(ILogger logger, Guid messageId);
}
