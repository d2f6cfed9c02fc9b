using System.Text.Json;
using Dapper;
using Npgsql;
using Relief.Referral.Contracts;
using Relief.Referral.Referrals;
using Relief.ServiceDefaults.Data;

namespace Relief.Referral.Classification;

/// <summary>Why a case was classified (again): which message brought it.</summary>
public static class ClassificationTrigger
{
    public const string Registered = "registered";
    public const string IdentityConfirmed = "identity_confirmed";
    public const string Updated = "updated";
}

/// <summary>
/// Classifies a case by the rules in force and acts on the decision, once per message: records the decision (a new row
/// only when the outcome differs from the case's last one; rows are never rewritten), publishes
/// <see cref="CaseClassified"/>, and opens a referral when the new decision needs one and the case has none open. A case
/// with an open referral has it brought in line where nobody has acted on it yet (<see cref="OpenReferralEffect"/>):
/// withdrawn when no rule of the new decision refers, made more urgent when the decision is; otherwise left to the
/// people working it, and the decision says that it differs.
/// </summary>
/// <remarks>
/// Two messages of one case (its registration and its identity confirmation, say) may be handled at once, here or on
/// another instance. Each runs in one transaction that first upserts the case's row — which locks it — and only then
/// reads the case's last decision and referrals, so the second waits for the first to commit and then sees what it
/// wrote: it cannot open a second referral, nor record the same decision twice. The facts carry the time Intake read
/// them; a read older than the one the case's last decision came from is not applied, so an older message handled late
/// never overwrites a newer decision. The partial unique index on open referrals stays as the last guard (a re-referral
/// through the API racing a classification): its violation is tried again, and then sees the open referral. The open
/// referral is not locked: it is withdrawn or made more urgent on the version read, as any lifecycle action, so a station
/// accepting it meanwhile wins and the classification is tried again, and then leaves it to the station.
/// </remarks>
public sealed partial class CaseClassification(
    NpgsqlDataSource db, UnitOfWorkFactory units, RuleSets ruleSets, ReferralOpening opening, ReferralActions actions, TimeProvider clock,
    ILogger<CaseClassification> logger)
{
    private const string OneOpenReferralPerCase = "referrals_one_open_per_case";
    private const int Attempts = 3;

    private const string RecordHandled = """
        insert into inbox_messages (message_id, consumer) values (@MessageId, @InboxName) on conflict do nothing returning 1
        """;

    // The update of a known case locks its row; a new case's row is the inserting transaction's until it commits.
    private const string RememberCase = """
        insert into cases (id, county_code, service_point_code, registered_at, case_number)
        values (@CaseId, @CountyCode, @ServicePointCode, @RegisteredAt, @CaseNumber)
        on conflict (id) do update set case_number = excluded.case_number
        returning facts_as_of
        """;

    private const string SelectLastDecision = """
        select decision, priority,
               array(select rule->>'code' from jsonb_array_elements(fired) with ordinality as f(rule, n) order by n) as codes
        from classifications where case_id = @CaseId order by at desc, id desc limit 1
        """;

    private const string SelectCompletedReferral = """
        select exists (select 1 from referrals where case_id = @CaseId and status = 'completed')
        """;

    private const string RecordFactsRead = "update cases set facts_as_of = @AsOf where id = @CaseId";

    private const string InsertClassification = """
        insert into classifications (id, case_id, rule_set_version, decision, fired, priority, at, trigger,
                                     open_referral_id, open_referral_status, open_referral_effect)
        values (@Id, @CaseId, @RuleSetVersion, @Decision, @Fired::jsonb, @Priority, @At, @Trigger,
                @OpenReferralId, @OpenReferralStatus, @OpenReferralEffect)
        """;

    /// <summary>False when the message was handled before (nothing done).</summary>
    public async Task<bool> ClassifyAsync(Guid messageId, string inboxName, string trigger, CaseFacts facts, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryClassifyAsync(messageId, inboxName, trigger, facts, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == OneOpenReferralPerCase
                                              && attempt < Attempts)
            {
                LogRaced(logger, facts.CaseId);
            }
            catch (StaleVersionException) when (attempt < Attempts)
            {
                // The open referral changed after it was read (the station accepted it, say): decide again on it as it is.
                LogReferralChanged(logger, facts.CaseId);
            }
        }
    }

    private async Task<bool> TryClassifyAsync(Guid messageId, string inboxName, string trigger, CaseFacts facts, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new
        {
            MessageId = messageId, InboxName = inboxName, facts.CaseId, facts.CountyCode, facts.ServicePointCode,
            facts.RegisteredAt, facts.CaseNumber, facts.AsOf,
        };

        // One round trip: the inbox row (a concurrent redelivery waits on it, then finds it), the case's row (locked),
        // its last decision, its referrals (the open one whole) and the version of the rules in force.
        bool fresh;
        DateTimeOffset? appliedAsOf;
        LastDecision? last = null;
        bool hasCompletedReferral;
        OpenReferral? open = null;
        int version;
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.Add(RecordHandled, parameters).Add(RememberCase, parameters).Add(SelectLastDecision, parameters)
                .Add(SelectCompletedReferral, parameters).Add(ReferralReading.SelectOpenOfCase, parameters).Add(RuleSets.SelectVersionInForce);
            await using var results = await batch.ExecuteReaderAsync(cancellationToken);
            fresh = await results.ReadAsync(cancellationToken);
            await results.NextResultAsync(cancellationToken);
            await results.ReadAsync(cancellationToken);
            appliedAsOf = await results.IsDBNullAsync(0, cancellationToken) ? null : results.GetFieldValue<DateTimeOffset>(0);
            await results.NextResultAsync(cancellationToken);
            if (await results.ReadAsync(cancellationToken))
            {
                last = new LastDecision(results.GetString(0), await results.IsDBNullAsync(1, cancellationToken) ? null : results.GetString(1),
                    results.GetFieldValue<string[]>(2));
            }

            await results.NextResultAsync(cancellationToken);
            await results.ReadAsync(cancellationToken);
            hasCompletedReferral = results.GetBoolean(0);
            await results.NextResultAsync(cancellationToken);
            if (await results.ReadAsync(cancellationToken))
            {
                var openedBy = results.GetOrdinal("opened_by");
                open = new OpenReferral(results.GetRowParser<ReferralRow>()(results),
                    !await results.IsDBNullAsync(openedBy, cancellationToken) && results.GetString(openedBy) == SystemActors.Classification.Subject);
            }

            await results.NextResultAsync(cancellationToken);
            version = await results.ReadAsync(cancellationToken)
                ? results.GetInt32(0)
                : throw new InvalidOperationException("No classification rules are in force (rule_sets is empty).");
        }

        if (!fresh)
        {
            return false; // handled before: the transaction rolls back
        }

        var unit = units.Begin();
        if (appliedAsOf > facts.AsOf)
        {
            // A newer read of the case's facts has been decided on already; this older one would only undo it.
            LogStale(logger, facts.CaseId, trigger);
            await unit.CommitAsync(transaction, cancellationToken);
            return true;
        }

        var rules = await ruleSets.RulesOfAsync(version, connection, transaction, cancellationToken);
        var outcome = Classifier.Classify(rules, facts);
        unit.Write(RecordFactsRead, parameters);
        if (last is not null && outcome.SameAs(last.Decision, last.Priority, last.RuleCodes))
        {
            await unit.CommitAsync(transaction, cancellationToken);
            LogUnchanged(logger, facts.CaseId, trigger, version);
            return true;
        }

        var at = clock.GetUtcNow();
        var classificationId = Guid.CreateVersion7();
        var effect = open is null ? null : OpenReferralEffect.Of(outcome, open.Row.Status, open.Row.Priority, open.OpenedByRules);
        unit.Write(InsertClassification, new
        {
            Id = classificationId, facts.CaseId, RuleSetVersion = version, outcome.Decision, outcome.Priority, At = at, Trigger = trigger,
            Fired = JsonSerializer.Serialize(outcome.Fired, RuleJson.Options),
            OpenReferralId = effect is null ? null : open?.Row.Id,
            OpenReferralStatus = effect is null ? null : open?.Row.Status,
            OpenReferralEffect = effect,
        });
        unit.Publish(new CaseClassified
        {
            CaseId = facts.CaseId,
            CountyCode = facts.CountyCode,
            RuleSetVersion = version,
            Rules = outcome.RuleCodes,
            Decision = outcome.Decision,
            Priority = outcome.Priority,
            ClassificationId = classificationId,
            Trigger = trigger,
            At = at,
        });

        // A referral once the loop was closed (completed) is a person's decision to reopen, not a rule's.
        var opens = outcome.RequiresReferral && open is null && !hasCompletedReferral;
        if (opens)
        {
            // Each county or district has one relief (management) station: the case's own county's receives it.
            opening.Open(unit, new NewReferral(facts.CaseId, facts.CountyCode, facts.ServicePointCode, facts.CountyCode,
                outcome.Priority ?? ReferralPriority.Normal, classificationId, SystemActors.Classification));
        }
        else if (effect == OpenReferralEffect.Withdrawn)
        {
            // Through the lifecycle's own cancel, in this transaction: history, deadlines ended, ReferralStatusChanged.
            actions.Write(unit, open!.Row, new ReferralChange("cancel", Reclassified(trigger, WithdrawnZh, WithdrawnEn))
            {
                ClassificationId = classificationId,
            }, SystemActors.Reclassification);
        }
        else if (effect == OpenReferralEffect.PriorityRaised)
        {
            var priority = outcome.Priority!;
            actions.RaisePriority(unit, open!.Row, priority, SystemActors.Reclassification, Reclassified(trigger,
                $"紧急程度由“{PriorityZh[open.Row.Priority]}”提高为“{PriorityZh[priority]}”",
                $"priority raised from {open.Row.Priority} to {priority}"), classificationId);
        }

        await unit.CommitAsync(transaction, cancellationToken);
        LogClassified(logger, facts.CaseId, trigger, version, outcome.Decision, outcome.Priority, opens, effect ?? "none");
        return true;
    }

    private const string WithdrawnZh = "在服务点救助，撤回尚未接收的转介";
    private const string WithdrawnEn = "relief at the point, the referral not yet accepted withdrawn";

    private static readonly Dictionary<string, string> PriorityZh = new()
    {
        [ReferralPriority.Urgent] = "紧急", [ReferralPriority.High] = "优先", [ReferralPriority.Normal] = "一般",
    };

    /// <summary>The history's comment on a change the rules made: what they were told, and what follows, in both languages.</summary>
    private static string Reclassified(string trigger, string zh, string en) => trigger switch
    {
        ClassificationTrigger.IdentityConfirmed => $"重新分类：身份已确认，{zh} / reclassified: identity confirmed, {en}",
        ClassificationTrigger.Updated => $"重新分类：补充登记后，{zh} / reclassified: record completed, {en}",
        _ => $"重新分类：{zh} / reclassified: {en}",
    };

    private sealed record LastDecision(string Decision, string? Priority, IReadOnlyList<string> RuleCodes);

    /// <summary>The case's open referral, and whether the rules opened it (not a person: a re-referral, a transfer).</summary>
    private sealed record OpenReferral(ReferralRow Row, bool OpenedByRules);

    // Rule codes and explanations stay out of the log: together with a case id they tell something of the person.
    [LoggerMessage(Level = LogLevel.Information,
        Message = "Case {CaseId} classified ({Trigger}) by rules v{Version}: {Decision}, priority {Priority}; referral opened: {Opened}; open referral: {OpenReferral}")]
    private static partial void LogClassified(ILogger logger, Guid caseId, string trigger, int version, string decision, string? priority, bool opened,
        string openReferral);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId} classified again ({Trigger}) by rules v{Version}: the same outcome, nothing recorded")]
    private static partial void LogUnchanged(ILogger logger, Guid caseId, string trigger, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId} ({Trigger}): facts older than those last decided on; not applied")]
    private static partial void LogStale(ILogger logger, Guid caseId, string trigger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId}: a referral was opened alongside; classifying again")]
    private static partial void LogRaced(ILogger logger, Guid caseId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId}: its open referral changed while it was classified; classifying again")]
    private static partial void LogReferralChanged(ILogger logger, Guid caseId);
}
