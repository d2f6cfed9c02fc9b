using MassTransit;
using Relief.Intake.Contracts;

namespace Relief.Referral.Classification;

/// <summary>
/// 身份确认 changes what a case needs: an identity established by ID card or police check may mean a voucher home at
/// the point, one that cannot be established a referral. Classifies the case again on Intake's facts as they are now.
/// </summary>
public sealed partial class IdentityConfirmedConsumer(IntakeCaseFacts intake, CaseClassification classification, ILogger<IdentityConfirmedConsumer> logger)
    : IConsumer<IdentityConfirmed>
{
    public const string InboxName = "referral.identity-confirmed";

    public async Task Consume(ConsumeContext<IdentityConfirmed> context)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException("A message without a MessageId cannot be de-duplicated.");
        var facts = await intake.GetAsync(context.Message.CaseId, context.CancellationToken);
        if (!await classification.ClassifyAsync(messageId, InboxName, ClassificationTrigger.IdentityConfirmed, facts, context.CancellationToken))
        {
            LogDuplicate(logger, messageId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "referral.identity-confirmed already handled message {MessageId}; skipped")]
    private static partial void LogDuplicate(ILogger logger, Guid messageId);
}
