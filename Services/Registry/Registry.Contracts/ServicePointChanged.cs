namespace Relief.Registry.Contracts;

/// <summary>
/// A service point was created, changed or moved to another status: what other services keep a copy of (Intake refuses
/// a case at a point that does not exist or is not embedded). The whole current state, so the latest version wins.
/// </summary>
public sealed record ServicePointChanged
{
    public required string Code { get; init; }
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public required string CountyCode { get; init; }
    public required string Status { get; init; }
    public string? ReceivingStationCode { get; init; }
    public required int Version { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
}
