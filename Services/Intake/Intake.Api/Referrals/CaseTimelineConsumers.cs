using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Intake.Referrals;

// What Referral reports about a case that changes no referral's state: into the case's timeline, placed by when it
// happened. Ids and codes only, as the events carry them.

/// <summary>A deadline of a referral passed (acceptance or care days), at an escalation level.</summary>
public sealed class ReferralOverdueConsumer(UnitOfWorkFactory units, ILogger<ReferralOverdueConsumer> logger)
    : IdempotentConsumer<ReferralOverdue>(units, logger)
{
    protected override string InboxName => "intake.referral-overdue";

    protected override void Handle(ReferralOverdue message, UnitOfWork unit) =>
        ReferralState.RecordFactOf(unit, message.CaseId, message.ReferralId, message.At, "referral_overdue", new
        {
            referralId = message.ReferralId,
            kind = message.Kind,
            level = message.Level,
            dueAt = message.DueAt,
        });
}

/// <summary>分类救助: the rules in force classified the case (the rules that fired and their version, never why in facts).</summary>
public sealed class CaseClassifiedConsumer(UnitOfWorkFactory units, ILogger<CaseClassifiedConsumer> logger)
    : IdempotentConsumer<CaseClassified>(units, logger)
{
    protected override string InboxName => "intake.case-classified";

    protected override void Handle(CaseClassified message, UnitOfWork unit) =>
        ReferralState.RecordFactOf(unit, message.CaseId, null, message.At, "classified", new
        {
            decision = message.Decision,
            rules = message.Rules,
            ruleSetVersion = message.RuleSetVersion,
        });
}

/// <summary>Relief was given and entered in Referral's ledger.</summary>
public sealed class ReliefActionRecordedConsumer(UnitOfWorkFactory units, ILogger<ReliefActionRecordedConsumer> logger)
    : IdempotentConsumer<ReliefActionRecorded>(units, logger)
{
    protected override string InboxName => "intake.relief-action-recorded";

    protected override void Handle(ReliefActionRecorded message, UnitOfWork unit) =>
        ReferralState.RecordFactOf(unit, message.CaseId, null, message.At, "relief_given", new
        {
            kind = message.Kind,
            amount = message.Amount,
            actionId = message.ActionId,
        });
}

/// <summary>A ledger entry was voided; the entry it voids stays in the timeline too.</summary>
public sealed class ReliefActionVoidedConsumer(UnitOfWorkFactory units, ILogger<ReliefActionVoidedConsumer> logger)
    : IdempotentConsumer<ReliefActionVoided>(units, logger)
{
    protected override string InboxName => "intake.relief-action-voided";

    protected override void Handle(ReliefActionVoided message, UnitOfWork unit) =>
        ReferralState.RecordFactOf(unit, message.CaseId, null, message.At, "relief_voided", new
        {
            kind = message.Kind,
            actionId = message.ActionId,
        });
}
