using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Testing;

/// <summary>A user of the network, as the identity authority knows them: a role at an office of a county.</summary>
public sealed record TestUser(string Role, string Office, string County, string OfficeKind);

/// <summary>Typical users of Yuncheng's network: 盐湖区 (140802) and 临猗县 (140821).</summary>
public static class TestUsers
{
    public const string YanhuPoint = "YH-CC-001";
    public const string LinyiPoint = "LY-LS-003";
    /// <summary>The relief stations' office codes follow no convention: scoping reads an office's kind and county.</summary>
    public const string YanhuStation = "YH-JZZ";
    public const string LinyiStation = "LINYI-STATION-1";

    public static TestUser PointStaff(string office = YanhuPoint, string county = "140802") =>
        new(ReliefRoles.PointStaff, office, county, "service_point");

    public static TestUser HotlineOperator() => new(ReliefRoles.HotlineOperator, "HOTLINE-12345", "140800", "hotline");

    public static TestUser StationStaff(string station = YanhuStation, string county = "140802") =>
        new(ReliefRoles.StationStaff, station, county, "relief_station");

    public static TestUser CountyOfficer(string county = "140802") =>
        new(ReliefRoles.CountyOfficer, $"CO-{county}", county, "county_office");

    public static TestUser CityAdministrator() => new(ReliefRoles.CityAdministrator, "CITY-BUREAU", "140800", "city_bureau");

    public static TestUser Auditor() => new(ReliefRoles.Auditor, "CITY-AUDIT", "140800", "city_bureau");
}

/// <summary>
/// Real access tokens from the identity authority: each test user is created once (office too) through the
/// admin API and signs in with the password grant; tokens are kept for the run (they outlive it).
/// </summary>
public sealed class TestSignIn(Func<HttpClient> authority, string adminUserName, string adminPassword)
{
    private readonly ConcurrentDictionary<TestUser, Lazy<Task<string>>> tokens = new();
    private readonly Lazy<Task<string>> adminToken = new(async () =>
    {
        using var client = authority();
        return await IdentityAuthorityClient.GetAccessTokenAsync(client, adminUserName, adminPassword);
    });

    public Task<string> TokenAsync(TestUser user) =>
        tokens.GetOrAdd(user, u => new Lazy<Task<string>>(() => SignInAsync(u))).Value;

    /// <summary>The first city administrator's access token.</summary>
    public Task<string> AdminTokenAsync() => adminToken.Value;

    /// <summary>A new user of <paramref name="user"/>'s role and office, for a test that signs in with a password.</summary>
    public async Task<(string UserName, string Password)> NewUserAsync(TestUser user)
    {
        using var client = authority();
        return await IdentityAuthorityClient.CreateUserAsync(client, await adminToken.Value, user.Role, user.Office, user.County, user.OfficeKind);
    }

    /// <summary>The user's id at the authority: what services record as the actor.</summary>
    public async Task<string> SubjectAsync(TestUser user) => new JsonWebToken(await TokenAsync(user)).Subject;

    /// <summary>The user's name as the token carries it: what services store beside the subject, for people to read.</summary>
    public async Task<string> NameAsync(TestUser user) =>
        new JsonWebToken(await TokenAsync(user)).GetPayloadValue<string>(ReliefClaims.Name);

    private async Task<string> SignInAsync(TestUser user)
    {
        using var client = authority();
        var (userName, password) = await IdentityAuthorityClient.CreateUserAsync(
            client, await adminToken.Value, user.Role, user.Office, user.County, user.OfficeKind);
        return await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, password);
    }
}
