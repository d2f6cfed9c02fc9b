using Relief.FamilySearch.Contracts;
using Relief.Intake.Contracts;
using Relief.Referral.Contracts;
using Relief.Registry.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Reporting.ReadModel;

/// <summary>A consumer's unit of work as the handlers' target.</summary>
public sealed class UnitWrites(UnitOfWork unit) : IReadModelWrites
{
    public void Write(string sql, object parameters) => unit.Write(sql, parameters);
}

/// <summary>What a read-model consumer writes through: the units of work, and the fold of the roll-ups it wakes after each.</summary>
public sealed record ReadModelUnits(UnitOfWorkFactory Factory, RollUpFolder Folder);

/// <summary>
/// Applies one event to the read model through its handler, once per message (the inbox), under the feed lock taken
/// shared: a rebuild holding it exclusively makes the event wait and apply on top of the rebuilt rows.
/// </summary>
public abstract class ReadModelConsumer<TMessage>(ReadModelUnits units, ILogger logger) : IdempotentConsumer<TMessage>(units.Factory, logger)
    where TMessage : class
{
    // The roll-ups' deltas this unit wrote are folded a moment later (RollUpFolder).
    protected override void Committed(TMessage message) => units.Folder.Notify();

    protected override async Task HandleAsync(TMessage message, UnitOfWork unit, CancellationToken cancellationToken)
    {
        // Read before the lock is asked for: a rebuild never waits on Intake through a consumer.
        var apply = await PrepareAsync(message, cancellationToken);
        unit.Write(ReadModelHandlers.TakeFeedLockShared, new { Key = ReadModelHandlers.FeedLockKey });
        apply(new UnitWrites(unit));
    }

    /// <summary>Reads what the handler needs (a case's facts) and gives back the handler to run.</summary>
    protected abstract Task<Action<IReadModelWrites>> PrepareAsync(TMessage message, CancellationToken cancellationToken);
}

public sealed class CaseRegisteredConsumer(ReadModelUnits units, IntakeFacts intake, ILogger<CaseRegisteredConsumer> logger)
    : ReadModelConsumer<CaseRegistered>(units, logger)
{
    protected override string InboxName => "reporting.case-registered";

    protected override async Task<Action<IReadModelWrites>> PrepareAsync(CaseRegistered message, CancellationToken cancellationToken)
    {
        var facts = await intake.GetAsync(message.CaseId, cancellationToken);
        return writes => ReadModelHandlers.Apply(writes, message, facts);
    }
}

public sealed class IdentityConfirmedConsumer(ReadModelUnits units, IntakeFacts intake, ILogger<IdentityConfirmedConsumer> logger)
    : ReadModelConsumer<IdentityConfirmed>(units, logger)
{
    protected override string InboxName => "reporting.identity-confirmed";

    protected override async Task<Action<IReadModelWrites>> PrepareAsync(IdentityConfirmed message, CancellationToken cancellationToken)
    {
        var facts = await intake.GetAsync(message.CaseId, cancellationToken);
        return writes => ReadModelHandlers.Apply(writes, message, facts);
    }
}

public sealed class CaseUpdatedConsumer(ReadModelUnits units, IntakeFacts intake, ILogger<CaseUpdatedConsumer> logger)
    : ReadModelConsumer<CaseUpdated>(units, logger)
{
    protected override string InboxName => "reporting.case-updated";

    protected override async Task<Action<IReadModelWrites>> PrepareAsync(CaseUpdated message, CancellationToken cancellationToken)
    {
        var facts = await intake.GetAsync(message.CaseId, cancellationToken);
        return writes => ReadModelHandlers.Apply(writes, message, facts);
    }
}

/// <summary>An event whose handler needs nothing but the event.</summary>
public abstract class PlainReadModelConsumer<TMessage>(ReadModelUnits units, ILogger logger, Action<IReadModelWrites, TMessage> handler)
    : ReadModelConsumer<TMessage>(units, logger)
    where TMessage : class
{
    protected override Task<Action<IReadModelWrites>> PrepareAsync(TMessage message, CancellationToken cancellationToken) =>
        Task.FromResult<Action<IReadModelWrites>>(writes => handler(writes, message));
}

public sealed class CaseClosedConsumer(ReadModelUnits units, ILogger<CaseClosedConsumer> logger)
    : PlainReadModelConsumer<CaseClosed>(units, logger, ReadModelHandlers.Apply)
{
    protected override string InboxName => "reporting.case-closed";
}

public sealed class CaseClassifiedConsumer(ReadModelUnits units, ILogger<CaseClassifiedConsumer> logger)
    : PlainReadModelConsumer<CaseClassified>(units, logger, ReadModelHandlers.Apply)
{
    protected override string InboxName => "reporting.case-classified";
}

public sealed class ReferralRequestedConsumer(ReadModelUnits units, ILogger<ReferralRequestedConsumer> logger)
    : PlainReadModelConsumer<ReferralRequested>(units, logger, ReadModelHandlers.Apply)
{
    protected override string InboxName => "reporting.referral-requested";
}

public sealed class ReferralAcceptedConsumer(ReadModelUnits units, ILogger<ReferralAcceptedConsumer> logger)
    : PlainReadModelConsumer<ReferralAccepted>(units, logger, ReadModelHandlers.Apply)
{
    protected override string InboxName => "reporting.referral-accepted";
}

public sealed class ReferralRejectedConsumer(ReadModelUnits units, ILogger<ReferralRejectedConsumer> logger)
    : PlainReadModelConsumer<ReferralRejected>(units, logger, ReadModelHandlers.Apply)
{
    protected override string InboxName => "reporting.referral-rejected";
}

public sealed class ReferralStatusChangedConsumer(ReadModelUnits units, ILogger<ReferralStatusChangedConsumer> logger)
    : PlainReadModelConsumer<ReferralStatusChanged>(units, logger, ReadModelHandlers.Apply)
{
    protected override string InboxName => "reporting.referral-status-changed";
}

public sealed class ReferralCompletedConsumer(ReadModelUnits units, ILogger<ReferralCompletedConsumer> logger)
    : PlainReadModelConsumer<ReferralCompleted>(units, logger, ReadModelHandlers.Apply)
{
    protected override string InboxName => "reporting.referral-completed";
}

public sealed class ReferralOverdueConsumer(ReadModelUnits units, ILogger<ReferralOverdueConsumer> logger)
    : PlainReadModelConsumer<ReferralOverdue>(units, logger, ReadModelHandlers.Apply)
{
    protected override string InboxName => "reporting.referral-overdue";
}

public sealed class ReliefActionRecordedConsumer(ReadModelUnits units, ILogger<ReliefActionRecordedConsumer> logger)
    : PlainReadModelConsumer<ReliefActionRecorded>(units, logger, ReadModelHandlers.Apply)
{
    protected override string InboxName => "reporting.relief-action-recorded";
}

public sealed class ReliefActionVoidedConsumer(ReadModelUnits units, ILogger<ReliefActionVoidedConsumer> logger)
    : PlainReadModelConsumer<ReliefActionVoided>(units, logger, ReadModelHandlers.Apply)
{
    protected override string InboxName => "reporting.relief-action-voided";
}

public sealed class ServicePointChangedConsumer(ReadModelUnits units, ILogger<ServicePointChangedConsumer> logger)
    : PlainReadModelConsumer<ServicePointChanged>(units, logger, ReadModelHandlers.Apply)
{
    protected override string InboxName => "reporting.service-point-changed";
}

public sealed class NoticeDraftedConsumer(ReadModelUnits units, ILogger<NoticeDraftedConsumer> logger)
    : PlainReadModelConsumer<NoticeDrafted>(units, logger, NoticeHandlers.Apply)
{
    protected override string InboxName => "reporting.notice-drafted";
}

public sealed class NoticePublishedConsumer(ReadModelUnits units, ILogger<NoticePublishedConsumer> logger)
    : PlainReadModelConsumer<NoticePublished>(units, logger, NoticeHandlers.Apply)
{
    protected override string InboxName => "reporting.notice-published";
}

public sealed class NoticeWithdrawnConsumer(ReadModelUnits units, ILogger<NoticeWithdrawnConsumer> logger)
    : PlainReadModelConsumer<NoticeWithdrawn>(units, logger, NoticeHandlers.Apply)
{
    protected override string InboxName => "reporting.notice-withdrawn";
}

public sealed class NoticeOverdueConsumer(ReadModelUnits units, ILogger<NoticeOverdueConsumer> logger)
    : PlainReadModelConsumer<NoticeOverdue>(units, logger, NoticeHandlers.Apply)
{
    protected override string InboxName => "reporting.notice-overdue";
}
