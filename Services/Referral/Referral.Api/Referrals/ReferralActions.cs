using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Relief.Referral.Contracts;
using Relief.Referral.Deadlines;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;

namespace Relief.Referral.Referrals;

/// <summary>One lifecycle action as asked for: what it records beyond the change of state.</summary>
public sealed record ReferralChange(string Action, string? Comment)
{
    public string? RejectReason { get; init; }
    public string? Outcome { get; init; }
    public object? OutcomeDetail { get; init; }
    public string? ToCounty { get; init; }

    /// <summary>
    /// The decision of classified relief that made the change, when the system made it (a referral the rules no longer
    /// need, withdrawn): named in the history, and the event says the referral was withdrawn on re-classification.
    /// </summary>
    public Guid? ClassificationId { get; init; }
}

/// <summary>
/// Applies a lifecycle action (<see cref="ReferralLifecycle"/>) as one unit of work: the referral's new state on the
/// version the user saw, its history entry, the deadlines it ends or arms, and its event through the outbox — all or
/// nothing. An action the state does not allow, or a version changed meanwhile, answers 409 with the referral's state
/// as it is now and what the user may do with it.
/// </summary>
public sealed class ReferralActions(
    NpgsqlDataSource db, UnitOfWorkFactory units, ReferralOpening opening, IOptionsMonitor<ReferralOptions> options, TimeProvider clock)
{
    private static readonly JsonSerializerOptions DetailJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    // What each action sets beyond the status and version. Fragments of this code only; every value is a parameter.
    private static readonly IReadOnlyDictionary<string, string> Sets = new Dictionary<string, string>
    {
        ["accept"] = ", accepted_at = @Now, care_started_at = @Now, care_until = @CareUntil, overdue_level = 0",
        ["reject"] = ", reject_reason = @RejectReason, closed_at = @Now, overdue_level = 0",
        ["start"] = "",
        ["complete"] = ", outcome = @Outcome, outcome_detail = @OutcomeDetail::jsonb, closed_at = @Now, overdue_level = 0",
        ["cancel"] = ", closed_at = @Now, overdue_level = 0",
        ["transfer"] = ", closed_at = @Now, overdue_level = 0",
        // Back in care: the care days go on from when they began (a closure made by mistake), or begin now.
        ["reopen"] = """
            , closed_at = null, outcome = null, outcome_detail = null, care_started_at = coalesce(care_started_at, @Now),
              care_until = coalesce(care_until, @CareUntil), overdue_level = 0
            """,
    };

    // The update on the version the user saw and in a state the action leaves from, and its history entry — written only
    // if the update was: the insert's row count is the unit's version check.
    private static readonly Dictionary<string, string> Statements = Sets.ToDictionary(set => set.Key, set => $"""
        with changed as (
            update referrals set status = @To, version = version + 1, updated_at = @Now{set.Value}
            where id = @Id and version = @Version and status = any(@From)
            returning id, version)
        insert into referral_history (referral_id, version, at, by, by_name, by_office, action, from_status, to_status, detail)
        select id, version, @Now, @By, @ByName, @ByOffice, @Action, @FromStatus, @To, @Detail::jsonb from changed
        """);

    private const string OneOpenPerCase = "referrals_one_open_per_case";

    // A referral not yet accepted made more urgent, on the version read: its acceptance is due no later than before, and
    // no later than the new priority's span from now. Noted in its history at that version (not a change of state: a
    // station that read it may still accept it on the version it saw).
    private const string RaisePriorityStatement = """
        with raised as (
            update referrals set priority = @Priority, accept_by = least(accept_by, @Sooner), updated_at = @Now
            where id = @Id and version = @Version and status = 'requested'
            returning id, version)
        insert into referral_history (referral_id, version, at, by, by_name, by_office, action, from_status, to_status, detail)
        select id, version, @Now, @By, @ByName, @ByOffice, 'priority_raised', 'requested', 'requested', @Detail::jsonb from raised
        """;

    public async Task<Results<Ok<ReferralDetail>, NotFound, ProblemHttpResult, ValidationProblem>> ApplyAsync(
        Guid id, int version, ReferralChange change, ReliefUser user, CancellationToken cancellationToken)
    {
        var transition = ReferralLifecycle.Find(change.Action)
            ?? throw new ArgumentOutOfRangeException(nameof(change), change.Action, "not an action of the lifecycle");
        ReferralRow? current;
        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            current = await ReferralReading.CurrentAsync(connection, user, id, cancellationToken);
        }

        if (current is null)
        {
            return TypedResults.NotFound();
        }

        if (current.Version != version || !transition.From.Contains(current.Status))
        {
            return Conflict(current, user);
        }

        if (change.ToCounty is { } toCounty && toCounty == current.ReceivingStationCounty)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["toCounty"] = ["转介已在该县救助站，无需转出 / the referral is already with that county's station"],
            });
        }

        var unit = units.Begin();
        var resultId = Write(unit, current, change, Actor.Of(user));
        try
        {
            // Once sent, the change is let finish: a client gone away must not leave it half known.
            await unit.CommitAsync(CancellationToken.None);
        }
        catch (StaleVersionException)
        {
            return await ConflictNowAsync(id, user, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another change got in between (its deadline or history row came first), or — reopening — the case has
            // another open referral.
            return await ConflictNowAsync(id, user, cancellationToken, e.ConstraintName == OneOpenPerCase
                ? "该案件已有进行中的转介 / the case already has an open referral" : null);
        }

        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            // A transfer answers with the new referral, which is the receiving station's now: shown to the sender, who
            // may no longer act on it.
            var detail = await ReferralReading.DetailAsync(connection, user, resultId, cancellationToken, inScopeOnly: resultId == id);
            return TypedResults.Ok(detail!);
        }
    }

    /// <summary>
    /// Writes a lifecycle action on the referral as read (<paramref name="current"/>) into the unit: the new state on that
    /// version (the unit's version check), its history entry by <paramref name="by"/> (a user, or the system), the
    /// deadlines it ends or arms and its event. The one place a referral's state is written, for the API and for the
    /// system alike (a re-classification withdrawing a referral nobody has acted on). Returns the referral one goes on
    /// with (the new one after a transfer).
    /// </summary>
    public Guid Write(UnitOfWork unit, ReferralRow current, ReferralChange change, Actor by)
    {
        var transition = ReferralLifecycle.Find(change.Action)
            ?? throw new ArgumentOutOfRangeException(nameof(change), change.Action, "not an action of the lifecycle");
        var now = clock.GetUtcNow();
        var settings = options.CurrentValue;
        var version = current.Version + 1;
        unit.WriteOne(Statements[change.Action], new
        {
            current.Id,
            current.Version,
            From = transition.From.ToArray(),
            transition.To,
            Now = now,
            By = by.Subject,
            ByName = by.Name,
            ByOffice = by.Office,
            change.Action,
            FromStatus = current.Status,
            Detail = JsonSerializer.Serialize(new
            {
                change.Comment, Reason = change.RejectReason, change.Outcome, change.ToCounty, change.ClassificationId,
            }, DetailJson),
            CareUntil = now.AddDays(settings.CareDays),
            change.RejectReason,
            change.Outcome,
            OutcomeDetail = change.OutcomeDetail is null ? null : JsonSerializer.Serialize(change.OutcomeDetail, DetailJson),
        });

        switch (change.Action)
        {
            case "accept":
                ReferralDeadlines.Cancel(unit, current.Id, now, ReferralDeadlines.Acceptance);
                ReferralDeadlines.ArmCareDays(unit, current.Id);
                unit.Publish(new ReferralAccepted
                {
                    ReferralId = current.Id, CaseId = current.CaseId, CountyCode = current.CountyCode,
                    ReceivingStationCounty = current.ReceivingStationCounty, Sequence = version, At = now,
                });
                break;
            case "reject":
                ReferralDeadlines.Cancel(unit, current.Id, now, ReferralDeadlines.Acceptance);
                unit.Publish(new ReferralRejected
                {
                    ReferralId = current.Id, CaseId = current.CaseId, CountyCode = current.CountyCode,
                    ReceivingStationCounty = current.ReceivingStationCounty, Sequence = version, At = now, Reason = change.RejectReason!,
                });
                break;
            case "complete":
                ReferralDeadlines.Cancel(unit, current.Id, now, ReferralDeadlines.CareDays);
                unit.Publish(new ReferralCompleted
                {
                    ReferralId = current.Id, CaseId = current.CaseId, CountyCode = current.CountyCode,
                    ReceivingStationCounty = current.ReceivingStationCounty, Sequence = version, At = now, Outcome = change.Outcome!,
                });
                break;
            default:
                if (change.Action is "cancel" or "transfer")
                {
                    ReferralDeadlines.Cancel(unit, current.Id, now, ReferralDeadlines.Acceptance, ReferralDeadlines.CareDays);
                }
                else if (change.Action == "reopen")
                {
                    ReferralDeadlines.ArmCareDays(unit, current.Id);
                }

                unit.Publish(new ReferralStatusChanged
                {
                    ReferralId = current.Id, CaseId = current.CaseId, CountyCode = current.CountyCode,
                    ReceivingStationCounty = current.ReceivingStationCounty, Sequence = version, At = now, Status = transition.To,
                    Reason = change.ClassificationId is null ? null : ReferralStatusChanged.Reclassified,
                });
                break;
        }

        if (change.Action != "transfer")
        {
            return current.Id;
        }

        // After the old referral's update in the same unit, so the case has one open referral at every statement.
        var opened = opening.Open(unit, new NewReferral(current.CaseId, current.CountyCode, current.ServicePointCode,
            change.ToCounty!, current.Priority, current.ClassificationId, by, TransferredFrom: current.Id, Comment: change.Comment));
        return opened.ReferralId;
    }

    /// <summary>
    /// Makes a referral the station has not yet accepted more urgent (a re-classification found the case more urgent),
    /// on the version read: its priority, its acceptance deadline brought forward (<see cref="ReferralDeadlines.MoveAcceptance"/>)
    /// and a history note by <paramref name="by"/>. If the referral changed meanwhile (accepted, say), nothing of the unit
    /// takes effect (<see cref="StaleVersionException"/>).
    /// </summary>
    public void RaisePriority(UnitOfWork unit, ReferralRow current, string priority, Actor by, string comment, Guid classificationId)
    {
        var now = clock.GetUtcNow();
        var sooner = now + options.CurrentValue.AcceptWithinFor(priority);
        unit.WriteOne(RaisePriorityStatement, new
        {
            current.Id,
            current.Version,
            Priority = priority,
            Sooner = sooner,
            Now = now,
            By = by.Subject,
            ByName = by.Name,
            ByOffice = by.Office,
            Detail = JsonSerializer.Serialize(new { Priority = priority, PreviousPriority = current.Priority, Comment = comment, ClassificationId = classificationId },
                DetailJson),
        });
        ReferralDeadlines.MoveAcceptance(unit, current.Id, now, sooner);
    }

    private async Task<Results<Ok<ReferralDetail>, NotFound, ProblemHttpResult, ValidationProblem>> ConflictNowAsync(
        Guid id, ReliefUser user, CancellationToken cancellationToken, string? title = null)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var now = await ReferralReading.CurrentAsync(connection, user, id, cancellationToken);
        return now is null ? TypedResults.NotFound() : Conflict(now, user, title);
    }

    /// <summary>
    /// 409 with the referral's state as it is now: <c>currentStatus</c>, <c>version</c> and <c>allowedActions</c> (those the
    /// user may take).
    /// </summary>
    public static ProblemHttpResult Conflict(ReferralRow current, ReliefUser user, string? title = null) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: title ?? "转介已是另一状态或已被他人修改，请按当前状态操作 / the referral is in another state or was changed since you read it",
        detail: $"status: {current.Status}, version: {current.Version}",
        extensions: new Dictionary<string, object?>
        {
            // Not "status": in problem details that is the HTTP status (409).
            ["currentStatus"] = current.Status,
            ["version"] = current.Version,
            ["allowedActions"] = ReferralLifecycle.ActionsFor(current.Status, user.Role),
        });
}
