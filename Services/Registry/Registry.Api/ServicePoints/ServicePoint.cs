using System.Text.Json;

namespace Relief.Registry.ServicePoints;

/// <summary>What a point is: the kinds of today's network (DOMAIN.md) and those planned next — a list, not a schema.</summary>
public static class PointKinds
{
    public static readonly IReadOnlyList<string> All =
    [
        "regional_center", "community_center", "love_station", "reception_center", "bus_station", "railway_station",
        "high_speed_rail_station", "relief_station", "city_station", "mediation_center", "governance_center",
    ];
}

/// <summary>What a point offers a person in need.</summary>
public static class PointServices
{
    public static readonly IReadOnlyList<string> All = ["water", "rest", "shelter", "charging", "food", "charity_goods", "travel_voucher"];
}

/// <summary>
/// Embedding status: planned → embedded (sign and reminder board installed, staff trained) → suspended → embedded again;
/// any of them → closed, which is final.
/// </summary>
public static class PointStatuses
{
    public const string Planned = "planned";
    public const string Embedded = "embedded";
    public const string Suspended = "suspended";
    public const string Closed = "closed";

    public static readonly IReadOnlyList<string> All = [Planned, Embedded, Suspended, Closed];

    public static bool CanMove(string from, string to) => (from, to) switch
    {
        (Planned, Embedded) or (Embedded, Suspended) or (Suspended, Embedded) => true,
        (Planned or Embedded or Suspended, Closed) => true,
        _ => false,
    };
}

/// <summary>A service point as the API shows it.</summary>
public sealed record ServicePointView(
    string Code, string Name, string Kind, string CountyCode, string Address, double Longitude, double Latitude,
    JsonElement OpeningHours, string? Phone, string[] Services, string Status, DateOnly? SignInstalledOn,
    int? StaffTrainedCount, DateOnly? StaffTrainedOn, string? ReceivingStationCode, bool IsDemo, int Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record StatusChange(string Status, DateTimeOffset ChangedAt, string ChangedBy, string? Note);

/// <summary>A point and the history of its status, newest last.</summary>
public sealed record ServicePointDetail(ServicePointView Point, IReadOnlyList<StatusChange> History);

/// <summary>A point open at the asked time, offering the asked service, and how far it is (metres, great circle).</summary>
public sealed record NearbyPoint(
    string Code, string Name, string Kind, string CountyCode, string Address, double Longitude, double Latitude,
    string? Phone, JsonElement OpeningHours, double DistanceMetres);
