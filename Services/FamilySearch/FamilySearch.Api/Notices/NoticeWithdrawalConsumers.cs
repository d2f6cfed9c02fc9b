using Dapper;
using Npgsql;
using Relief.Intake.Contracts;
using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.FamilySearch.Notices;

/// <summary>
/// Takes a case's open notice down when the person no longer needs it: identified (their identity established), or gone
/// (the referral completed, the case closed). Nothing happens for a case without one — most cases.
/// </summary>
public static class AutomaticWithdrawal
{
    /// <summary>The identity methods that establish who the person is (relatives_confirmed: a family found them).</summary>
    public static readonly string[] Established = ["id_card_checked", "police_check", "self_declared", "relatives_confirmed"];

    private const string SelectOpen = "select * from notices where case_id = @CaseId and status <> 'withdrawn'";

    public static async Task WithdrawOpenAsync(
        NpgsqlDataSource db, UnitOfWork unit, Guid caseId, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        NoticeRow? open;
        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            open = await connection.QuerySingleOrDefaultAsync<NoticeRow>(new CommandDefinition(SelectOpen, new { CaseId = caseId },
                cancellationToken: cancellationToken));
        }

        if (open is not null)
        {
            NoticeActions.Withdraw(unit, open, reason, comment: null, NoticeActors.System, now, checkVersion: false);
        }
    }
}

public sealed class IdentityConfirmedConsumer(UnitOfWorkFactory units, NpgsqlDataSource db, TimeProvider clock, ILogger<IdentityConfirmedConsumer> logger)
    : IdempotentConsumer<IdentityConfirmed>(units, logger)
{
    protected override string InboxName => "familysearch.identity-confirmed";

    protected override Task HandleAsync(IdentityConfirmed message, UnitOfWork unit, CancellationToken cancellationToken) =>
        AutomaticWithdrawal.Established.Contains(message.Method)
            ? AutomaticWithdrawal.WithdrawOpenAsync(db, unit, message.CaseId, "identified", clock.GetUtcNow(), cancellationToken)
            : Task.CompletedTask;
}

public sealed class ReferralCompletedConsumer(UnitOfWorkFactory units, NpgsqlDataSource db, TimeProvider clock, ILogger<ReferralCompletedConsumer> logger)
    : IdempotentConsumer<ReferralCompleted>(units, logger)
{
    protected override string InboxName => "familysearch.referral-completed";

    protected override Task HandleAsync(ReferralCompleted message, UnitOfWork unit, CancellationToken cancellationToken) =>
        AutomaticWithdrawal.WithdrawOpenAsync(db, unit, message.CaseId, "left", clock.GetUtcNow(), cancellationToken);
}

public sealed class CaseClosedConsumer(UnitOfWorkFactory units, NpgsqlDataSource db, TimeProvider clock, ILogger<CaseClosedConsumer> logger)
    : IdempotentConsumer<CaseClosed>(units, logger)
{
    protected override string InboxName => "familysearch.case-closed";

    protected override Task HandleAsync(CaseClosed message, UnitOfWork unit, CancellationToken cancellationToken) =>
        AutomaticWithdrawal.WithdrawOpenAsync(db, unit, message.CaseId, "left", clock.GetUtcNow(), cancellationToken);
}
