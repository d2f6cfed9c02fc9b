using Relief.ServiceDefaults.Data;

namespace Relief.Referral.Deadlines;

/// <summary>
/// The statements that end and arm a referral's deadlines, written into the unit of work of the change that causes them
/// (accepting ends the acceptance deadline and arms the care days in the same commit), so a deadline never outlives
/// the state it watches, and a restart loses none.
/// </summary>
public static class ReferralDeadlines
{
    public const string Acceptance = "acceptance";
    public const string CareDays = "care_days";

    private const string CancelOpen = """
        update deadlines set cancelled_at = @Now
        where referral_id = @ReferralId and kind = any(@Kinds) and fired_at is null and cancelled_at is null
        """;

    // Due when the referral's care ends, as the referral row says after the change written before this statement; each
    // arming is a new round whose levels escalate afresh.
    private const string InsertCareDaysDeadline = """
        insert into deadlines (id, referral_id, kind, level, round, due_at)
        select @DeadlineId, r.id, 'care_days', 1,
               coalesce((select max(d.round) from deadlines d where d.referral_id = r.id and d.kind = 'care_days'), 0) + 1,
               r.care_until
        from referrals r where r.id = @ReferralId and r.care_until is not null
        """;

    // The acceptance deadline the referral waits on now (level 1, or the escalation level it has reached) is ended, and
    // one of the same level armed in a new round, due no later than it was and no later than @Sooner. None is armed when
    // every level has fired already.
    private const string MoveWaitingAcceptance = """
        with waiting as (
            update deadlines set cancelled_at = @Now
            where referral_id = @ReferralId and kind = 'acceptance' and fired_at is null and cancelled_at is null
            returning level, due_at)
        insert into deadlines (id, referral_id, kind, level, round, due_at)
        select @DeadlineId, @ReferralId, 'acceptance', w.level,
               (select coalesce(max(d.round), 0) + 1 from deadlines d where d.referral_id = @ReferralId and d.kind = 'acceptance'),
               least(w.due_at, @Sooner)
        from (select level, due_at from waiting order by level limit 1) w
        """;

    /// <summary>Ends the referral's open deadlines of the given kinds: what they watched for is done.</summary>
    public static void Cancel(UnitOfWork unit, Guid referralId, DateTimeOffset now, params string[] kinds) =>
        unit.Write(CancelOpen, new { ReferralId = referralId, Now = now, Kinds = kinds });

    /// <summary>
    /// Brings the acceptance deadline the referral waits on forward to <paramref name="sooner"/> at the latest (its priority
    /// was raised): the old row is cancelled and a new one of the same level armed, in a new round.
    /// </summary>
    public static void MoveAcceptance(UnitOfWork unit, Guid referralId, DateTimeOffset now, DateTimeOffset sooner) =>
        unit.Write(MoveWaitingAcceptance, new { ReferralId = referralId, Now = now, Sooner = sooner, DeadlineId = Guid.CreateVersion7() });

    /// <summary>Watches the end of the referral's care days (its <c>care_until</c> as the unit has set it).</summary>
    public static void ArmCareDays(UnitOfWork unit, Guid referralId) =>
        unit.Write(InsertCareDaysDeadline, new { ReferralId = referralId, DeadlineId = Guid.CreateVersion7() });
}
