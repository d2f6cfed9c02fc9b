namespace Relief.Intake.Contracts;

/// <summary>
/// A person in hardship was registered (问询登记) at a service point, by the hotline, by outreach or on a
/// hand-over by police. Carries no name and no identity number: consumers get ids and the facts they act on.
/// </summary>
public sealed record CaseRegistered
{
    public required Guid CaseId { get; init; }
    /// <summary>GB/T 2260 code of the county the case belongs to.</summary>
    public required string CountyCode { get; init; }
    public required string ServicePointCode { get; init; }
    public required IntakeChannel Channel { get; init; }
    public required Sex Sex { get; init; }
    public int? EstimatedAge { get; init; }
    public required ReliefNeed Need { get; init; }
    public required DateTimeOffset RegisteredAt { get; init; }
    /// <summary>
    /// The number people read aloud (e.g. 140802-20261130-0007), counted by Intake as the case is saved: what a duty desk's
    /// message names the case by. Absent from events published before it was added.
    /// </summary>
    public string? CaseNumber { get; init; }
}

/// <summary>How the person reached the relief network.</summary>
public enum IntakeChannel
{
    /// <summary>到服务点求助 — walked into a service point.</summary>
    WalkIn,
    /// <summary>24小时救助热线.</summary>
    Hotline,
    /// <summary>街面巡查 — found by street outreach.</summary>
    Outreach,
    /// <summary>公安移送 — handed over by police.</summary>
    Police,
}

public enum Sex
{
    Unknown,
    Male,
    Female,
}

/// <summary>What the person needs first (分类救助).</summary>
public enum ReliefNeed
{
    /// <summary>Necessary food, given at the point.</summary>
    Food,
    /// <summary>乘车凭证 — a travel voucher to the household-registration place.</summary>
    TravelVoucher,
    /// <summary>转介 — care, family search, medical help or placement at the relief station.</summary>
    Referral,
    /// <summary>Hospital or police at once; the relief station follows up.</summary>
    Emergency,
}
