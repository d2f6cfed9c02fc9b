namespace Relief.FamilySearch.Contracts;

// 寻亲 (family search, issue 13). Events carry ids, codes and times only: never a name, a description, a photo or a
// place — a notice's content is personal data until it is published, and the public page is where it is published.

/// <summary>
/// A notice was drafted for a person whose identity is not established, on their arrival at a relief station (the
/// referral accepted). Its 24-hour clock runs from <see cref="ArrivedAt"/> to <see cref="DueAt"/>.
/// </summary>
public sealed record NoticeDrafted
{
    public required Guid NoticeId { get; init; }
    public required Guid CaseId { get; init; }
    /// <summary>The case's county (where it was registered).</summary>
    public required string CountyCode { get; init; }
    /// <summary>The county of the relief station that drafts and publishes the notice (its desk is that station's).</summary>
    public required string StationCounty { get; init; }
    public required DateTimeOffset ArrivedAt { get; init; }
    public required DateTimeOffset DueAt { get; init; }
    public required DateTimeOffset At { get; init; }
}

/// <summary>A supervisor approved the notice and it is public now (the public page, print, the national site).</summary>
public sealed record NoticePublished
{
    public required Guid NoticeId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string StationCounty { get; init; }
    public required DateTimeOffset ArrivedAt { get; init; }
    public required DateTimeOffset At { get; init; }
}

/// <summary>
/// The notice was withdrawn — the person identified, reunited, or gone — or dropped before publication; the public page
/// shows nothing of it from now on.
/// </summary>
public sealed record NoticeWithdrawn
{
    public required Guid NoticeId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string StationCounty { get; init; }
    /// <summary>identified, reunited, left, or other.</summary>
    public required string Reason { get; init; }
    /// <summary>Whether it had been published (false: withdrawn as a draft, e.g. the person was identified first).</summary>
    public required bool WasPublished { get; init; }
    public required DateTimeOffset At { get; init; }
}

/// <summary>
/// A notice not published within 24 hours of arrival: raised once per level — 1 to the station's desk, 2 to the county
/// office, … — like a referral's deadline.
/// </summary>
public sealed record NoticeOverdue
{
    public required Guid NoticeId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string StationCounty { get; init; }
    public required int Level { get; init; }
    public required DateTimeOffset DueAt { get; init; }
    public required DateTimeOffset At { get; init; }
}

/// <summary>
/// A request the station made of the police (identity check, DNA sample, a suspected lost, abandoned or trafficked
/// person's report) got no answer by its deadline: raised once per level to the station's desk, then the county office.
/// </summary>
public sealed record PoliceRequestOverdue
{
    public required Guid RequestId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string StationCounty { get; init; }
    /// <summary>identity_check, dna_sample or trafficking_report.</summary>
    public required string Kind { get; init; }
    public required int Level { get; init; }
    public required DateTimeOffset DueAt { get; init; }
    public required DateTimeOffset At { get; init; }
}

/// <summary>
/// Staff confirmed that a missing-person report is the person of a notice: the family is found. Intake records the
/// reunion in the case (identity confirmed by the relatives); the notice is withdrawn and the report closed.
/// </summary>
public sealed record ReunionConfirmed
{
    public required Guid MatchId { get; init; }
    public required Guid NoticeId { get; init; }
    public required Guid ReportId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string StationCounty { get; init; }
    /// <summary>The county where the family reported (may be another county, or outside the city).</summary>
    public required string ReportCounty { get; init; }
    public required DateTimeOffset At { get; init; }
}
