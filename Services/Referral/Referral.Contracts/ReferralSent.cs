namespace Relief.Referral.Contracts;

/// <summary>A referral (转介) was sent to a relief station, which must now accept or reject it.</summary>
public sealed record ReferralSent
{
    public required Guid ReferralId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    /// <summary>
    /// The county (GB/T 2260) whose relief station (救助管理站) receives the referral: each county or district has one.
    /// </summary>
    public required string ReceivingStationCounty { get; init; }
    public required DateTimeOffset SentAt { get; init; }
}
