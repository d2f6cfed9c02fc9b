using Relief.Intake.Contracts;

namespace Relief.Registry.Contracts;

/// <summary>The registry holds a person record for a registered case. Ids and facts only, no identity data.</summary>
public sealed record PersonRecorded
{
    public required Guid PersonId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    public required string ServicePointCode { get; init; }
    public required ReliefNeed Need { get; init; }
    public required DateTimeOffset RecordedAt { get; init; }
}
