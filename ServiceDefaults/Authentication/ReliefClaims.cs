namespace Relief.ServiceDefaults.Authentication;

/// <summary>The claims every Relief access token carries about its user.</summary>
public static class ReliefClaims
{
    public const string Subject = "sub";
    public const string Role = "role";
    /// <summary>The office (service point, relief station, county office, bureau) the user works for.</summary>
    public const string Office = "office";
    /// <summary>GB/T 2260 code of the county the user's office belongs to.</summary>
    public const string County = "county";
}

/// <summary>The roles of Relief's users (see DOMAIN.md, "Who uses Relief").</summary>
public static class ReliefRoles
{
    public const string PointStaff = "point_staff";
    public const string HotlineOperator = "hotline_operator";
    public const string StationStaff = "station_staff";
    public const string CountyOfficer = "county_officer";
    public const string CityAdministrator = "city_admin";
    public const string Auditor = "auditor";

    public static readonly IReadOnlyList<string> All =
        [PointStaff, HotlineOperator, StationStaff, CountyOfficer, CityAdministrator, Auditor];
}
