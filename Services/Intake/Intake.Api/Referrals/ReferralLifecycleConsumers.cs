using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Intake.Referrals;

// Each step of a referral's lifecycle, as Referral reports it: a row in the case's timeline (the action names are the
// ones the case page renders), and the referral's state when the event is its newest (see ReferralState). The inbox
// names are stable: renaming one would handle a redelivered message again.

/// <summary>The station took the referral.</summary>
public sealed class ReferralAcceptedConsumer(UnitOfWorkFactory units, ILogger<ReferralAcceptedConsumer> logger)
    : IdempotentConsumer<ReferralAccepted>(units, logger)
{
    protected override string InboxName => "intake.referral-accepted";

    protected override void Handle(ReferralAccepted message, UnitOfWork unit) =>
        ReferralState.Record(unit, message, ReferralStatus.Accepted, "referral_accepted", new
        {
            referralId = message.ReferralId,
            stationCounty = message.ReceivingStationCounty,
        });
}

/// <summary>The station refused the referral with a coded reason: the point sees it on the case and refers again.</summary>
public sealed class ReferralRejectedConsumer(UnitOfWorkFactory units, ILogger<ReferralRejectedConsumer> logger)
    : IdempotentConsumer<ReferralRejected>(units, logger)
{
    protected override string InboxName => "intake.referral-rejected";

    protected override void Handle(ReferralRejected message, UnitOfWork unit) =>
        ReferralState.Record(unit, message, ReferralStatus.Rejected, "referral_rejected", new
        {
            referralId = message.ReferralId,
            stationCounty = message.ReceivingStationCounty,
            reason = message.Reason,
        });
}

/// <summary>
/// Care started, the referral was cancelled or transferred, or reopened (in progress again after its completion or
/// cancellation — told apart from a start by the sequence, in <see cref="ReferralState"/>). A transfer's new referral
/// arrives as a <see cref="ReferralRequested"/> of its own, naming the station it went to.
/// </summary>
public sealed class ReferralStatusChangedConsumer(UnitOfWorkFactory units, ILogger<ReferralStatusChangedConsumer> logger)
    : IdempotentConsumer<ReferralStatusChanged>(units, logger)
{
    protected override string InboxName => "intake.referral-status-changed";

    protected override void Handle(ReferralStatusChanged message, UnitOfWork unit)
    {
        var action = message.Status switch
        {
            ReferralStatus.InProgress => "referral_in_progress",
            ReferralStatus.Cancelled => "referral_cancelled",
            ReferralStatus.Transferred => "referral_transferred",
            ReferralStatus.Accepted => "referral_accepted",
            ReferralStatus.Rejected => "referral_rejected",
            // A status this build does not know is a contract it does not know: to the _error queue, replayed once the
            // build that knows it is deployed — never a guess in the case's timeline.
            _ => throw new InvalidOperationException($"Referral status '{message.Status}' is not one Intake knows."),
        };
        // A transfer names the station it left; the station it went to is in the new referral's own referral_sent. A
        // change no person made says why, as a code (a referral withdrawn on re-classification: reclassified).
        object detail = message.Status == ReferralStatus.Transferred
            ? new { referralId = message.ReferralId, stationCounty = message.ReceivingStationCounty }
            : message.Reason is { } reason
                ? new { referralId = message.ReferralId, reason }
                : new { referralId = message.ReferralId };
        ReferralState.Record(unit, message, message.Status, action, detail);
    }
}

/// <summary>The referral was completed with a coded outcome: the case closes, unless another referral of it is open.</summary>
public sealed class ReferralCompletedConsumer(UnitOfWorkFactory units, ILogger<ReferralCompletedConsumer> logger)
    : IdempotentConsumer<ReferralCompleted>(units, logger)
{
    protected override string InboxName => "intake.referral-completed";

    protected override void Handle(ReferralCompleted message, UnitOfWork unit) =>
        ReferralState.Record(unit, message, ReferralStatus.Completed, "referral_completed", new
        {
            referralId = message.ReferralId,
            outcome = message.Outcome,
        }, message.Outcome);
}
