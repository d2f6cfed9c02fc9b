namespace Relief.Identity.Contracts;

/// <summary>
/// An office was created, changed, closed or reopened: what other services keep a copy of to address its desk (its kind
/// and county) without asking the authority at every message. The whole current state, so the latest version wins.
/// Names no person: an office is a place of work.
/// </summary>
public sealed record OfficeChanged
{
    /// <summary>The office code (a service point's office has the point's code).</summary>
    public required string Code { get; init; }
    public required string Name { get; init; }
    /// <summary>service_point, relief_station, hotline, county_office or city_bureau.</summary>
    public required string Kind { get; init; }
    /// <summary>GB/T 2260 county code; 140800 for the city bureau.</summary>
    public required string CountyCode { get; init; }
    /// <summary>False once the office is closed (deactivated).</summary>
    public required bool Active { get; init; }
    /// <summary>Grows with every change of the office, so a copy keeps only the newest.</summary>
    public required long Version { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
}
