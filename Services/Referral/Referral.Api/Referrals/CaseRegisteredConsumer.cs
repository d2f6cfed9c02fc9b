using MassTransit;
using Relief.Intake.Contracts;
using Relief.Referral.Classification;

namespace Relief.Referral.Referrals;

/// <summary>
/// Classifies every registered case (分类救助) and, when the decision is a referral, sends it to the county's relief
/// station. The facts come from Intake over HTTP (the bus carries no health data): Intake unreachable is a transient fault
/// and the message waits until it answers; a case Intake does not have goes to the _error queue.
/// </summary>
public sealed partial class CaseRegisteredConsumer(IntakeCaseFacts intake, CaseClassification classification, ILogger<CaseRegisteredConsumer> logger)
    : IConsumer<CaseRegistered>
{
    // A new inbox name: the messages this consumer sees are CaseRegistered, not the PersonRecorded of before.
    public const string InboxName = "referral.case-registered";

    public async Task Consume(ConsumeContext<CaseRegistered> context)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException("A message without a MessageId cannot be de-duplicated.");
        // Read before the transaction: no database connection is held while Intake answers.
        var facts = await intake.GetAsync(context.Message.CaseId, context.CancellationToken);
        if (!await classification.ClassifyAsync(messageId, InboxName, ClassificationTrigger.Registered, facts, context.CancellationToken))
        {
            LogDuplicate(logger, messageId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "referral.case-registered already handled message {MessageId}; skipped")]
    private static partial void LogDuplicate(ILogger logger, Guid messageId);
}
