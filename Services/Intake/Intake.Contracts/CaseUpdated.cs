namespace Relief.Intake.Contracts;

/// <summary>
/// 补充登记: a case's record was completed or corrected. Which fields changed, never their values: a consumer that needs
/// the person reads it from Intake.
/// </summary>
public sealed record CaseUpdated
{
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required IReadOnlyList<string> ChangedFields { get; init; }
    public required int Version { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
