using Relief.Intake.Contracts;
using Relief.Referral.Contracts;
using Relief.Registry.Contracts;

namespace Relief.Reporting.ReadModel;

/// <summary>Where a handler's statements go: a consumer's unit of work, or the rebuild's transaction.</summary>
public interface IReadModelWrites
{
    void Write(string sql, object parameters);
}

/// <summary>
/// How each event changes the statistics read model — one handler per event type, used by the consumers and by the
/// rebuild alike, so both give the same rows. Every handler is an upsert that is right in any order and any number of
/// times (events of one case arrive on different queues; a rebuild replays what the live feed may also deliver again):
/// a column is set from the event that knows it, a newer read (facts' AsOf, a referral's Sequence, a point's Version)
/// never loses to an older one.
/// </summary>
public static class ReadModelHandlers
{
    /// <summary>
    /// Taken shared by every consumer's unit and exclusively by the rebuild (<see cref="Rebuild.ReadModelRebuild"/>):
    /// live events wait while the read model is rebuilt, and are applied on top of it after.
    /// </summary>
    public const long FeedLockKey = 0x5245_504F_5254; // "REPORT"

    public const string TakeFeedLockShared = "select pg_advisory_xact_lock_shared(@Key)";

    /// <summary>Beijing time: months and days of the reports are Beijing's.</summary>
    public static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    public static DateOnly MonthOf(DateTimeOffset at)
    {
        var local = at.ToOffset(Beijing);
        return new DateOnly(local.Year, local.Month, 1);
    }

    /// <summary>Coarse on purpose: the read model keeps a band, never an age.</summary>
    public static string AgeBand(int? age) => age switch
    {
        null => "unknown",
        < 18 => "minor",
        < 60 => "adult",
        _ => "elderly",
    };

    private const string UpsertRegistered = """
        insert into report_cases (case_id, case_number, county_code, service_point_code, point_kind, channel, registered_at,
                                  month, sex, age_band, need, updated_at)
        values (@CaseId, @CaseNumber, @CountyCode, @ServicePointCode, (select kind from report_points where code = @ServicePointCode),
                @Channel, @RegisteredAt, @Month, @Sex, @AgeBand, @Need, now())
        on conflict (case_id) do update set
            case_number = coalesce(excluded.case_number, report_cases.case_number),
            county_code = excluded.county_code, service_point_code = excluded.service_point_code,
            point_kind = excluded.point_kind, channel = excluded.channel, registered_at = excluded.registered_at,
            month = excluded.month, sex = excluded.sex, need = excluded.need,
            -- the facts' age (birth date) is better than the estimate the event carries
            age_band = case when report_cases.facts_as_of is null then excluded.age_band else report_cases.age_band end,
            updated_at = now()
        """;

    public static void Apply(IReadModelWrites writes, CaseRegistered message, CaseFactsView? facts)
    {
        writes.Write(UpsertRegistered, new
        {
            message.CaseId, CaseNumber = message.CaseNumber ?? facts?.CaseNumber, message.CountyCode, message.ServicePointCode,
            Channel = message.Channel.ToString(), RegisteredAt = message.RegisteredAt.ToUniversalTime(),
            Month = MonthOf(message.RegisteredAt), Sex = message.Sex.ToString(), AgeBand = AgeBand(message.EstimatedAge),
            Need = message.Need.ToString(),
        });
        ApplyFacts(writes, facts);
    }

    private const string UpsertIdentity = """
        insert into report_cases (case_id, county_code, identity_status) values (@CaseId, @CountyCode, @Method)
        on conflict (case_id) do update set identity_status = excluded.identity_status, updated_at = now()
        where report_cases.facts_as_of is null or report_cases.facts_as_of < @ConfirmedAt
        """;

    public static void Apply(IReadModelWrites writes, IdentityConfirmed message, CaseFactsView? facts)
    {
        writes.Write(UpsertIdentity, new { message.CaseId, message.CountyCode, message.Method, ConfirmedAt = message.ConfirmedAt.ToUniversalTime() });
        ApplyFacts(writes, facts);
    }

    private const string TouchCase = """
        insert into report_cases (case_id, county_code) values (@CaseId, @CountyCode) on conflict (case_id) do nothing
        """;

    /// <summary>补充登记 says only which fields changed: the facts say what they are now.</summary>
    public static void Apply(IReadModelWrites writes, CaseUpdated message, CaseFactsView? facts)
    {
        writes.Write(TouchCase, new { message.CaseId, message.CountyCode });
        ApplyFacts(writes, facts);
    }

    // Registration columns only fill what no CaseRegistered gave yet (the event is the authority on them); situations,
    // identity and age follow the newest read.
    private const string UpsertFacts = """
        insert into report_cases (case_id, case_number, county_code, service_point_code, point_kind, channel, registered_at,
                                  month, need, situations, identity_status, age_band, facts_as_of, updated_at)
        values (@CaseId, @CaseNumber, @CountyCode, @ServicePointCode, (select kind from report_points where code = @ServicePointCode),
                @Channel, @RegisteredAt, @Month, @Need, @Situations, @IdentityStatus, @AgeBand, @AsOf, now())
        on conflict (case_id) do update set
            case_number = coalesce(report_cases.case_number, excluded.case_number),
            service_point_code = coalesce(report_cases.service_point_code, excluded.service_point_code),
            point_kind = coalesce(report_cases.point_kind, excluded.point_kind),
            channel = coalesce(report_cases.channel, excluded.channel),
            registered_at = coalesce(report_cases.registered_at, excluded.registered_at),
            month = coalesce(report_cases.month, excluded.month),
            need = coalesce(report_cases.need, excluded.need),
            situations = excluded.situations, identity_status = excluded.identity_status, age_band = excluded.age_band,
            facts_as_of = excluded.facts_as_of, updated_at = now()
        where report_cases.facts_as_of is null or report_cases.facts_as_of < excluded.facts_as_of
        """;

    public static void ApplyFacts(IReadModelWrites writes, CaseFactsView? facts)
    {
        if (facts is null)
        {
            return;
        }

        writes.Write(UpsertFacts, new
        {
            facts.CaseId, facts.CaseNumber, facts.CountyCode, facts.ServicePointCode, facts.Channel,
            RegisteredAt = facts.RegisteredAt.ToUniversalTime(), Month = MonthOf(facts.RegisteredAt), facts.Need,
            Situations = facts.Situations, facts.IdentityStatus, AgeBand = AgeBand(facts.Age), AsOf = facts.AsOf.ToUniversalTime(),
        });
    }

    private const string UpsertClassified = """
        insert into report_cases (case_id, county_code, decision, priority, classified_at)
        values (@CaseId, @CountyCode, @Decision, @Priority, @At)
        on conflict (case_id) do update set decision = excluded.decision, priority = excluded.priority,
            classified_at = excluded.classified_at, updated_at = now()
        where report_cases.classified_at is null or report_cases.classified_at <= excluded.classified_at
        """;

    public static void Apply(IReadModelWrites writes, CaseClassified message) =>
        writes.Write(UpsertClassified, new { message.CaseId, message.CountyCode, message.Decision, message.Priority, At = message.At.ToUniversalTime() });

    // Each lifecycle event sets its own columns whatever the order; the status is the newest sequence's.
    private static string UpsertReferral(string columns, string values, string updates) => $"""
        insert into report_referrals (referral_id, case_id, county_code, receiving_station_county, status, last_sequence{columns})
        values (@ReferralId, @CaseId, @CountyCode, @ReceivingStationCounty, @Status, @Sequence{values})
        on conflict (referral_id) do update set
            status = case when excluded.last_sequence > report_referrals.last_sequence then excluded.status else report_referrals.status end,
            receiving_station_county = case when excluded.last_sequence > report_referrals.last_sequence
                then excluded.receiving_station_county else report_referrals.receiving_station_county end,
            last_sequence = greatest(report_referrals.last_sequence, excluded.last_sequence){updates}
        """;

    private static readonly string UpsertRequested = UpsertReferral(", requested_at", ", @At", ", requested_at = excluded.requested_at");

    private static readonly string UpsertAccepted = UpsertReferral(", accepted_at", ", @At",
        ", accepted_at = least(report_referrals.accepted_at, excluded.accepted_at)");

    private static readonly string UpsertRejected = UpsertReferral(", rejected_at, reject_reason", ", @At, @Reason", """
        ,
            reject_reason = case when report_referrals.rejected_at is null or excluded.rejected_at < report_referrals.rejected_at
                then excluded.reject_reason else report_referrals.reject_reason end,
            rejected_at = least(report_referrals.rejected_at, excluded.rejected_at)
        """);

    private static readonly string UpsertStatus = UpsertReferral("", "", "");

    private static readonly string UpsertCompleted = UpsertReferral(", completed_at, outcome", ", @At, @Outcome",
        ", completed_at = excluded.completed_at, outcome = excluded.outcome");

    // A deadline has no sequence of its own: it marks the referral overdue (the first time counts) and leaves its status.
    private const string UpsertOverdue = """
        insert into report_referrals (referral_id, case_id, county_code, receiving_station_county, status, last_sequence, overdue_at, overdue_kind)
        values (@ReferralId, @CaseId, @CountyCode, @ReceivingStationCounty, 'requested', 0, @At, @Kind)
        on conflict (referral_id) do update set
            overdue_kind = case when report_referrals.overdue_at is null or excluded.overdue_at < report_referrals.overdue_at
                then excluded.overdue_kind else report_referrals.overdue_kind end,
            overdue_at = least(report_referrals.overdue_at, excluded.overdue_at)
        """;

    // The case's outcome is its latest completed referral's.
    private const string CloseCase = """
        insert into report_cases (case_id, county_code, closed_at, outcome) values (@CaseId, @CountyCode, @At, @Outcome)
        on conflict (case_id) do update set closed_at = excluded.closed_at, outcome = excluded.outcome, updated_at = now()
        where report_cases.closed_at is null or report_cases.closed_at <= excluded.closed_at
        """;

    private static object Referral(IReferralEvent e, string status) => new
    {
        e.ReferralId, e.CaseId, e.CountyCode, e.ReceivingStationCounty, Status = status, e.Sequence, At = e.At.ToUniversalTime(),
    };

    public static void Apply(IReadModelWrites writes, ReferralRequested message) =>
        writes.Write(UpsertRequested, Referral(message, ReferralStatus.Requested));

    public static void Apply(IReadModelWrites writes, ReferralAccepted message) =>
        writes.Write(UpsertAccepted, Referral(message, ReferralStatus.Accepted));

    public static void Apply(IReadModelWrites writes, ReferralRejected message) =>
        writes.Write(UpsertRejected, new
        {
            message.ReferralId, message.CaseId, message.CountyCode, message.ReceivingStationCounty, Status = ReferralStatus.Rejected,
            message.Sequence, At = message.At.ToUniversalTime(), message.Reason,
        });

    public static void Apply(IReadModelWrites writes, ReferralStatusChanged message) =>
        writes.Write(UpsertStatus, Referral(message, message.Status));

    public static void Apply(IReadModelWrites writes, ReferralCompleted message)
    {
        writes.Write(UpsertCompleted, new
        {
            message.ReferralId, message.CaseId, message.CountyCode, message.ReceivingStationCounty, Status = ReferralStatus.Completed,
            message.Sequence, At = message.At.ToUniversalTime(), message.Outcome,
        });
        writes.Write(CloseCase, new { message.CaseId, message.CountyCode, At = message.At.ToUniversalTime(), message.Outcome });
    }

    public static void Apply(IReadModelWrites writes, ReferralOverdue message) =>
        writes.Write(UpsertOverdue, new
        {
            message.ReferralId, message.CaseId, message.CountyCode, message.ReceivingStationCounty, At = message.At.ToUniversalTime(), message.Kind,
        });

    private const string UpsertRecorded = """
        insert into report_relief (action_id, case_id, county_code, kind, amount, destination_province, recorded_at)
        values (@ActionId, @CaseId, @CountyCode, @Kind, @Amount, @DestinationProvince, @At)
        on conflict (action_id) do update set kind = excluded.kind, amount = excluded.amount,
            destination_province = excluded.destination_province, recorded_at = excluded.recorded_at
        """;

    public static void Apply(IReadModelWrites writes, ReliefActionRecorded message) =>
        writes.Write(UpsertRecorded, new
        {
            message.ActionId, message.CaseId, message.CountyCode, message.Kind, message.Amount,
            message.DestinationProvince, At = message.At.ToUniversalTime(),
        });

    // A void may outrun its action: the row waits for the recording's columns.
    private const string UpsertVoided = """
        insert into report_relief (action_id, case_id, county_code, kind, voided_at) values (@ActionId, @CaseId, @CountyCode, @Kind, @At)
        on conflict (action_id) do update set voided_at = excluded.voided_at
        """;

    public static void Apply(IReadModelWrites writes, ReliefActionVoided message) =>
        writes.Write(UpsertVoided, new { message.ActionId, message.CaseId, message.CountyCode, message.Kind, At = message.At.ToUniversalTime() });

    private const string UpsertPoint = """
        insert into report_points (code, kind, county_code, status, version, changed_at)
        values (@Code, @Kind, @CountyCode, @Status, @Version, @ChangedAt)
        on conflict (code) do update set kind = excluded.kind, county_code = excluded.county_code, status = excluded.status,
            version = excluded.version, changed_at = excluded.changed_at
        where report_points.version < excluded.version
        """;

    // Cases registered before their point was known (or before its kind changed) take the point's kind now.
    private const string KindOfPointsCases = """
        update report_cases set point_kind = p.kind from report_points p
        where p.code = @Code and report_cases.service_point_code = @Code and report_cases.point_kind is distinct from p.kind
        """;

    public static void Apply(IReadModelWrites writes, ServicePointChanged message)
    {
        writes.Write(UpsertPoint, new
        {
            message.Code, message.Kind, message.CountyCode, message.Status, message.Version, ChangedAt = message.ChangedAt.ToUniversalTime(),
        });
        writes.Write(KindOfPointsCases, new { message.Code });
    }
}
