using Relief.ServiceDefaults.Authentication;

namespace Relief.Testing;

/// <summary>Tokens of typical users of Yuncheng's network: 盐湖区 (140802) and 临猗县 (140821).</summary>
public static class TestUsers
{
    public const string YanhuPoint = "YH-CC-001";
    public const string LinyiPoint = "LY-LS-003";
    public const string YanhuStation = "relief-station-140802";
    public const string LinyiStation = "relief-station-140821";

    public static string PointStaff(string office = YanhuPoint, string county = "140802") =>
        TestTokens.Mint(ReliefRoles.PointStaff, office, county, subject: $"staff@{office}");

    public static string HotlineOperator() => TestTokens.Mint(ReliefRoles.HotlineOperator, "HOTLINE-12345", "140800", subject: "operator-1");

    public static string StationStaff(string station = YanhuStation) =>
        TestTokens.Mint(ReliefRoles.StationStaff, station, station[^6..], subject: $"staff@{station}");

    public static string CountyOfficer(string county = "140802") =>
        TestTokens.Mint(ReliefRoles.CountyOfficer, $"CO-{county}", county, subject: $"officer@{county}");

    public static string CityAdministrator() => TestTokens.Mint(ReliefRoles.CityAdministrator, "CITY-BUREAU", "140800", subject: "admin-1");

    public static string Auditor() => TestTokens.Mint(ReliefRoles.Auditor, "CITY-AUDIT", "140800", subject: "auditor-1");
}
