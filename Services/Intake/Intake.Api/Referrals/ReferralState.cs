using System.Text.Json;
using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Data;

namespace Relief.Intake.Referrals;

/// <summary>
/// A case's referrals as Intake follows them from Referral's events. Referral is the single writer of a referral's
/// state and numbers each change (<see cref="IReferralEvent.Sequence"/>, the referral's version after it); the broker
/// and the consumers' concurrency may still deliver them in any order. So every event goes into the case's timeline —
/// it happened, and the timeline is ordered by when — but the referral's state here (<c>case_referrals</c>) moves only
/// to a higher sequence, and what follows from it (the station that may read the case, the case closed or open) is
/// worked out again only when an event is the newest of its referral. An accept is never undone by its late request.
/// </summary>
public static class ReferralState
{
    // The states are Referral's, named in its contracts (ReferralStatus); a referral is open in ReferralStatus.Open.

    private const string OpenList = "('requested', 'accepted', 'in_progress')";

    /// <summary>
    /// Which of a case's referrals is its current one, for the rows <c>r</c> of <c>case_referrals</c> of one case: the
    /// open one, else the one that changed last. Its station reads the case; its status is the case's referral status.
    /// </summary>
    public const string CurrentFirst = $"order by r.status in {OpenList} desc, r.at desc, r.referral_id limit 1";

    // Events of one case take turns: what follows from the referrals (close, reopen, station) is read from all of the
    // case's rows, so two of its events must not each decide on what the other has not committed yet. The batch runs as
    // one transaction, and each later statement sees what the holder of this lock committed before.
    private const string LockCase = "select 1 from cases where id = @CaseId for update";

    // A step to in_progress after the referral was completed or cancelled is its reopening (nothing else leads there
    // from those states); the sequence places it, whatever order the two events arrived in.
    private const string RecordInTimeline = $"""
        insert into case_history (case_id, at, by, action, detail, referral_id, sequence)
        select @CaseId, @At, 'referral',
               case when @Status = '{ReferralStatus.InProgress}' and exists (
                        select 1 from case_history h
                        where h.referral_id = @ReferralId and h.sequence < @Sequence
                          and h.action in ('referral_completed', 'referral_cancelled'))
                    then 'referral_reopened' else @Action end,
               @Detail::jsonb, @ReferralId, @Sequence
        where exists (select 1 from cases where id = @CaseId)
        """;

    // A completion or cancellation that arrives after the referral's reopening: the reopening was written as a start.
    private const string NameLateReopenings = """
        update case_history set action = 'referral_reopened'
        where referral_id = @ReferralId and action = 'referral_in_progress' and sequence > @Sequence
        """;

    private const string KeepNewest = """
        insert into case_referrals (referral_id, case_id, sequence, status, station_county, at)
        select @ReferralId, @CaseId, @Sequence, @Status, @StationCounty, @At
        where exists (select 1 from cases where id = @CaseId)
        on conflict (referral_id) do update set
            sequence = excluded.sequence, status = excluded.status, station_county = excluded.station_county, at = excluded.at
        where excluded.sequence > case_referrals.sequence
        """;

    /// <summary>True in SQL when this event is (now) the newest of its referral, so its state is the referral's.</summary>
    private const string IsNewest = "exists (select 1 from case_referrals where referral_id = @ReferralId and sequence = @Sequence)";

    // The current referral's station reads the case (and, after a transfer, the station it left no longer does).
    private const string FollowStation = $"""
        update cases set referred_to_station_county = (select r.station_county from case_referrals r where r.case_id = cases.id {CurrentFirst})
        where id = @CaseId and {IsNewest}
        """;

    // A completed referral closes the case — unless another referral of it is still open — and starts its retention clock.
    private const string CloseOnCompletion = $"""
        with closed as (
            update cases set closed_at = @At, closed_by = 'referral', closing_outcome = @Outcome
            where id = @CaseId and closed_at is null and {IsNewest}
              and not exists (select 1 from case_referrals where case_id = @CaseId and status in {OpenList})
            returning id)
        insert into case_history (case_id, at, by, action, detail, referral_id, sequence)
        select id, @At, 'referral', 'case_closed', @ClosingDetail::jsonb, @ReferralId, @Sequence from closed
        """;

    // A referral open again (reopened, or a new one: a re-referral) opens a closed case again. Placed no earlier than the
    // close it undoes, so the timeline never shows a case reopened before it was closed.
    private const string ReopenWhenOpen = $"""
        with was as (
            select id, closed_at from cases where id = @CaseId and closed_at is not null and {IsNewest}),
        reopened as (
            update cases set closed_at = null, closed_by = null, closing_outcome = null
            from was where cases.id = was.id
            returning cases.id, was.closed_at)
        insert into case_history (case_id, at, by, action, detail, referral_id, sequence)
        select id, greatest(@At, closed_at), 'referral', 'case_reopened', @ReopeningDetail::jsonb, @ReferralId, @Sequence from reopened
        """;

    /// <summary>
    /// Writes a lifecycle event of a referral into the unit: its timeline row (<paramref name="action"/>, with
    /// <paramref name="detail"/>), the referral's state if the event is its newest, and what follows for the case.
    /// Nothing for a case Intake does not have.
    /// </summary>
    public static void Record(UnitOfWork unit, IReferralEvent change, string status, string action, object detail, string? outcome = null)
    {
        var parameters = new
        {
            change.CaseId,
            change.ReferralId,
            change.Sequence,
            Status = status,
            Action = action,
            StationCounty = change.ReceivingStationCounty,
            At = change.At.ToUniversalTime(),
            Detail = JsonSerializer.Serialize(detail),
            Outcome = outcome ?? "",
            ClosingDetail = JsonSerializer.Serialize(new { referralId = change.ReferralId, outcome }),
            ReopeningDetail = JsonSerializer.Serialize(new { referralId = change.ReferralId }),
        };
        unit.Write(LockCase, parameters);
        unit.Write(RecordInTimeline, parameters);
        if (status is ReferralStatus.Completed or ReferralStatus.Cancelled)
        {
            unit.Write(NameLateReopenings, parameters);
        }

        unit.Write(KeepNewest, parameters);
        unit.Write(FollowStation, parameters);
        if (status == ReferralStatus.Completed)
        {
            unit.Write(CloseOnCompletion, parameters);
        }
        else if (ReferralStatus.Open.Contains(status))
        {
            unit.Write(ReopenWhenOpen, parameters);
        }
    }

    private const string RecordFact = """
        insert into case_history (case_id, at, by, action, detail, referral_id)
        select @CaseId, @At, 'referral', @Action, @Detail::jsonb, @ReferralId::uuid
        where exists (select 1 from cases where id = @CaseId)
        """;

    /// <summary>
    /// Writes a fact Referral reports about a case that changes no referral's state (a classification, relief given or
    /// voided, a deadline passed) into its timeline. Nothing for a case Intake does not have.
    /// </summary>
    public static void RecordFactOf(UnitOfWork unit, Guid caseId, Guid? referralId, DateTimeOffset at, string action, object detail) =>
        unit.Write(RecordFact, new { CaseId = caseId, ReferralId = referralId, At = at.ToUniversalTime(), Action = action, Detail = JsonSerializer.Serialize(detail) });
}
