namespace Relief.Referral.Contracts;

/// <summary>The receiving station took the referral: the person is theirs now.</summary>
public sealed record ReferralAccepted : IReferralEvent
{
    public required Guid ReferralId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string ReceivingStationCounty { get; init; }
    public required int Sequence { get; init; }
    public required DateTimeOffset At { get; init; }
}

/// <summary>The station refused the referral with a coded reason; the sender must find another way (re-referral).</summary>
public sealed record ReferralRejected : IReferralEvent
{
    public required Guid ReferralId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string ReceivingStationCounty { get; init; }
    public required int Sequence { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>A reason code (e.g. not_in_area, no_capacity, not_eligible, duplicate, other).</summary>
    public required string Reason { get; init; }
}

/// <summary>
/// Any other change of a referral's state: in progress, cancelled, transferred, reopened. <see cref="Status"/> is the
/// state it is in now.
/// </summary>
public sealed record ReferralStatusChanged : IReferralEvent
{
    public required Guid ReferralId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string ReceivingStationCounty { get; init; }
    public required int Sequence { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string Status { get; init; }

    /// <summary>
    /// Why, as a code, when no person made the change: <see cref="Reclassified"/> for a referral the system withdrew
    /// because the case's classification no longer needs the station. None when staff acted (their comment stays in
    /// Referral's history: free text does not travel on the bus).
    /// </summary>
    public string? Reason { get; init; }

    /// <summary>Cancelled by the system: classified again, the case no longer needs the station, which had not yet accepted it.</summary>
    public const string Reclassified = "reclassified";
}

/// <summary>
/// The referral was completed with a coded outcome (returned home, collected by relatives, escorted home, placed,
/// hospitalised, handed to police, left of own accord, relief terminated): the case is closed.
/// </summary>
public sealed record ReferralCompleted : IReferralEvent
{
    public required Guid ReferralId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string ReceivingStationCounty { get; init; }
    public required int Sequence { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string Outcome { get; init; }
}

/// <summary>
/// A deadline passed: a referral not accepted in time, or a stay past its care days. Raised once per level; each
/// level escalates further (the station's duty desk, then the county office, then the city).
/// </summary>
public sealed record ReferralOverdue
{
    public required Guid ReferralId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string ReceivingStationCounty { get; init; }
    /// <summary>acceptance or care_days.</summary>
    public required string Kind { get; init; }
    /// <summary>1 at the first deadline, then one more at each escalation.</summary>
    public required int Level { get; init; }
    public required DateTimeOffset DueAt { get; init; }
    public required DateTimeOffset At { get; init; }
}

/// <summary>
/// 分类救助: the case was classified by the rules in force. Names the rules that fired and their version, never the facts
/// about the person that made them fire.
/// </summary>
public sealed record CaseClassified
{
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required int RuleSetVersion { get; init; }
    public required IReadOnlyList<string> Rules { get; init; }
    /// <summary>relief_at_point or referral.</summary>
    public required string Decision { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>urgent, high or normal: the highest any fired rule set; none when no rule set one.</summary>
    public string? Priority { get; init; }
    /// <summary>The decision's record (GET /api/cases/{caseId}/classification), where its explanations are.</summary>
    public Guid? ClassificationId { get; init; }
    /// <summary>registered, identity_confirmed or updated: the message the case was classified (again) on.</summary>
    public string? Trigger { get; init; }
}

/// <summary>Relief was given (food, water, a travel voucher, lodging, an escort, a short fare) and entered in the ledger.</summary>
public sealed record ReliefActionRecorded
{
    public required Guid ActionId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string Kind { get; init; }
    /// <summary>In yuan, for a voucher or a fare; none for food, lodging or an escort.</summary>
    public decimal? Amount { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>A travel voucher's destination province (2-digit GB/T 2260 code), coarse on purpose; none otherwise.</summary>
    public string? DestinationProvince { get; init; }
}

/// <summary>A ledger entry was voided, with a reason; the entry stays, marked void.</summary>
public sealed record ReliefActionVoided
{
    public required Guid ActionId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string Kind { get; init; }
    public required DateTimeOffset At { get; init; }
}
