namespace Relief.ServiceDefaults.Authentication;

/// <summary>The claims every Relief access token carries about its user.</summary>
public static class ReliefClaims
{
    public const string Subject = "sub";
    /// <summary>
    /// The user's name at the authority (its user name): what staff and auditors recognise where a page says who did
    /// something. The subject stays the user's identity: a name may be changed or reused, the subject may not.
    /// </summary>
    public const string Name = "name";
    public const string Role = "role";
    /// <summary>The office (service point, relief station, county office, bureau) the user works for.</summary>
    public const string Office = "office";
    /// <summary>What kind of office that is (<see cref="OfficeKinds"/>): scoping reads it, never the office's code.</summary>
    public const string OfficeKind = "office_kind";
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

/// <summary>The kinds of office a user works for.</summary>
public static class OfficeKinds
{
    /// <summary>临时救助服务点: a community center, love station, transport hub … embedded in the network.</summary>
    public const string ServicePoint = "service_point";
    /// <summary>救助管理站: the county's relief (management) station, which receives referrals.</summary>
    public const string ReliefStation = "relief_station";
    /// <summary>24小时救助热线.</summary>
    public const string Hotline = "hotline";
    /// <summary>A county's (or district's) civil-affairs office.</summary>
    public const string CountyOffice = "county_office";
    /// <summary>The city civil-affairs bureau (民政局).</summary>
    public const string CityBureau = "city_bureau";

    public static readonly IReadOnlyList<string> All = [ServicePoint, ReliefStation, Hotline, CountyOffice, CityBureau];

    /// <summary>
    /// The kinds of office each role can be held at: a role's scope only makes sense there (station staff see what was
    /// referred to their station, so they must work at one).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ForRole = new Dictionary<string, IReadOnlyList<string>>
    {
        [ReliefRoles.PointStaff] = [ServicePoint],
        [ReliefRoles.HotlineOperator] = [Hotline],
        [ReliefRoles.StationStaff] = [ReliefStation],
        [ReliefRoles.CountyOfficer] = [CountyOffice],
        [ReliefRoles.CityAdministrator] = [CityBureau],
        [ReliefRoles.Auditor] = [CityBureau, CountyOffice],
    };

    /// <summary>True when <paramref name="role"/> may be held by a user of an office of <paramref name="kind"/>.</summary>
    public static bool Allows(string role, string kind) =>
        ForRole.TryGetValue(role, out var kinds) && kinds.Contains(kind);
}
