namespace Relief.Identity.Offices;

/// <summary>
/// Where a user works: a service point (临时救助服务点), a relief station (救助管理站), the hotline (救助热线), a county's
/// civil-affairs office or the city bureau (民政局). Its county decides which cases the user may see.
/// </summary>
public sealed class Office
{
    public const string CityBureauCode = "CITY-BUREAU";
    /// <summary>GB/T 2260 code of Yuncheng (运城市), the city bureau's "county".</summary>
    public const string CityCountyCode = "140800";

    public required string Code { get; init; }
    public required string Name { get; set; }
    public required string Kind { get; set; }
    /// <summary>GB/T 2260 county code (six digits).</summary>
    public required string CountyCode { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>
    /// When the office closed. Its users cannot sign in and no user is added to it; its cases and history stay.
    /// Offices are never deleted: cases and the audit log name them.
    /// </summary>
    public DateTimeOffset? DeactivatedAt { get; set; }

    /// <summary>
    /// Grows by one with every change, announced with it (<see cref="OfficeChanges"/>), so a copy elsewhere keeps the
    /// newest. 0: never announced — an office from before the announcements, or the city bureau as first seeded — which
    /// the next start announces (<see cref="OfficeChanges.AnnounceUnannouncedAsync"/>).
    /// </summary>
    public long Version { get; set; }

    /// <summary>When the office last changed (was created, renamed, moved, closed or reopened).</summary>
    public DateTimeOffset ChangedAt { get; set; }
}
