namespace Relief.Intake.Contracts;

/// <summary>
/// 结案 at the point: a case helped where it was registered (food, a travel voucher) and never referred was closed by the
/// point with a coded outcome (relief_given, returned_home, collected_by_relatives, left_of_own_accord, hospitalised,
/// handed_to_police). A referred case is closed by its referral's <c>ReferralCompleted</c>, never by this.
/// </summary>
public sealed record CaseClosed
{
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string Outcome { get; init; }
    public required DateTimeOffset ClosedAt { get; init; }
}
