using Dapper;
using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Intake.Referrals;

/// <summary>
/// Remembers which relief station a case was referred to: that station's staff may then read the case in full
/// (and nobody else's staff may).
/// </summary>
public sealed class ReferralSentConsumer(UnitOfWorkFactory units, ILogger<ReferralSentConsumer> logger)
    : IdempotentConsumer<ReferralSent>(units, logger)
{
    protected override string InboxName => "intake.referral-sent";

    private const string RecordReferral = "update cases set referred_to_station = @ReceivingStation where id = @CaseId";

    protected override Task HandleAsync(ReferralSent message, UnitOfWork unit, CancellationToken cancellationToken) =>
        unit.Connection.ExecuteAsync(new CommandDefinition(RecordReferral,
            new { message.ReceivingStation, message.CaseId }, unit.Transaction, cancellationToken: cancellationToken));
}
