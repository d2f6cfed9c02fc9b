using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.IdentityTests.Infrastructure;
using Relief.Testing;

namespace Relief.IdentityTests;

public sealed class AdministrationTests(AuthorityFixture fixture) : IClassFixture<AuthorityFixture>
{
    private readonly Authority _authority = fixture.Authority;

    public static TheoryData<string, string, string, string> Roles => new()
    {
        { "point_staff", "YH-CC-001", "service_point", "140802" },
        { "hotline_operator", "HOTLINE", "hotline", "140800" },
        { "station_staff", "YH-RS-001", "relief_station", "140802" },
        { "county_officer", "LY-CO", "county_office", "140821" },
        { "city_admin", "CITY-BUREAU", "city_bureau", "140800" },
        { "auditor", "CITY-BUREAU", "city_bureau", "140800" },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task A_user_the_admin_creates_gets_a_token_with_its_role_office_its_kind_and_county(string role, string office, string kind, string county)
    {
        var client = _authority.CreateClient();
        var (userName, password) = await IdentityAuthorityClient.CreateUserAsync(client, await _authority.AdminTokenAsync(), role, office, county, kind);

        var token = Jwks.Read(await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, password));

        Assert.Equal(role, token.GetClaim("role").Value);
        Assert.Equal(office, token.GetClaim("office").Value);
        Assert.Equal(kind, token.GetClaim("office_kind").Value);
        Assert.Equal(county, token.GetClaim("county").Value);
        Assert.Equal(userName, token.GetClaim("name").Value);
    }

    [Theory]
    [InlineData("station_staff", "MISMATCH-POINT", "service_point")]
    [InlineData("point_staff", "MISMATCH-STATION", "relief_station")]
    [InlineData("city_admin", "MISMATCH-COUNTY", "county_office")]
    [InlineData("county_officer", "MISMATCH-HOTLINE", "hotline")]
    public async Task A_role_at_an_office_of_another_kind_is_refused_with_400_naming_the_role(string role, string office, string kind)
    {
        var admin = _authority.CreateClient(await _authority.AdminTokenAsync());
        var county = kind == "hotline" ? "140800" : "140802";
        using (await admin.PostAsJsonAsync(new Uri("/api/admin/offices", UriKind.Relative), new { code = office, name = office, kind, countyCode = county }))
        {
            // Created, or there already (409) from another case of this theory: an office of that kind either way.
        }

        using var response = await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative),
            new { userName = $"mismatch-{Guid.NewGuid():N}"[..24], password = "a-long-password-123", officeCode = office, role });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var reason = Assert.Single(problem.GetProperty("errors").GetProperty("role").EnumerateArray()).GetString();
        Assert.Contains(kind, reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changing_a_users_role_to_one_their_office_kind_does_not_hold_is_refused_and_changes_nothing()
    {
        var client = _authority.CreateClient();
        var adminToken = await _authority.AdminTokenAsync();
        var (userName, password) = await IdentityAuthorityClient.CreateUserAsync(client, adminToken, "point_staff", "YH-CC-001", "140802", "service_point");
        var userId = Jwks.Read(await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, password)).Subject;

        using var change = await _authority.CreateClient(adminToken)
            .PutAsJsonAsync(new Uri($"/api/admin/users/{userId}/role", UriKind.Relative), new { role = "station_staff" });

        Assert.Equal(HttpStatusCode.BadRequest, change.StatusCode);
        Assert.True((await change.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("role", out _));
        var token = Jwks.Read(await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, password));
        Assert.Equal("point_staff", token.GetClaim("role").Value);
    }

    [Fact]
    public async Task The_admin_lists_offices_and_users()
    {
        var admin = _authority.CreateClient(await _authority.AdminTokenAsync());

        var offices = await admin.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/offices", UriKind.Relative));
        var users = await admin.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/users", UriKind.Relative));

        Assert.Contains(offices.EnumerateArray(), o => o.GetProperty("code").GetString() == "CITY-BUREAU" && o.GetProperty("countyCode").GetString() == "140800");
        Assert.Contains(users.EnumerateArray(), u => u.GetProperty("userName").GetString() == Authority.AdminUserName && u.GetProperty("role").GetString() == "city_admin");
    }

    [Theory]
    [InlineData("GET", "/api/admin/offices")]
    [InlineData("GET", "/api/admin/users")]
    [InlineData("POST", "/api/admin/offices")]
    [InlineData("POST", "/api/admin/users")]
    [InlineData("POST", "/api/admin/signing-keys/rotate")]
    public async Task Admin_endpoints_refuse_anonymous_callers_with_401_and_other_roles_with_403(string method, string path)
    {
        var staffToken = await _authority.TokenOfNewUserAsync("county_officer", "LY-CO", "140821", "county_office");

        using var anonymous = await _authority.CreateClient().SendAsync(Request(method, path));
        using var staff = await _authority.CreateClient(staffToken).SendAsync(Request(method, path));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, staff.StatusCode);
    }

    [Fact]
    public async Task A_bad_office_is_a_400_naming_each_field()
    {
        var admin = _authority.CreateClient(await _authority.AdminTokenAsync());

        using var response = await admin.PostAsJsonAsync(new Uri("/api/admin/offices", UriKind.Relative),
            new { code = "bad code", name = "", kind = "shop", countyCode = "1408" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "code", "name", "kind", "countyCode" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}");
        }
    }

    [Theory]
    [InlineData("NO-SUCH-OFFICE", "point_staff", "officeCode")]
    [InlineData("CITY-BUREAU", "janitor", "role")]
    public async Task A_user_of_an_unknown_office_or_role_is_a_400_naming_the_field(string office, string role, string field)
    {
        var admin = _authority.CreateClient(await _authority.AdminTokenAsync());

        using var response = await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative),
            new { userName = $"user-{Guid.NewGuid():N}"[..20], password = "long-enough-password", officeCode = office, role });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task A_short_password_is_a_400_naming_the_password()
    {
        var admin = _authority.CreateClient(await _authority.AdminTokenAsync());

        using var response = await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative),
            new { userName = $"user-{Guid.NewGuid():N}"[..20], password = "short", officeCode = "CITY-BUREAU", role = "auditor" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("password", out _));
    }

    [Fact]
    public async Task A_duplicate_user_name_is_a_409()
    {
        var admin = _authority.CreateClient(await _authority.AdminTokenAsync());
        var user = new { userName = $"dup-{Guid.NewGuid():N}"[..20], password = "long-enough-password", officeCode = "CITY-BUREAU", role = "auditor" };

        using var first = await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative), user);
        using var second = await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative), user);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }

    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), new Uri(path, UriKind.Relative))
    {
        Content = method == "POST" ? JsonContent.Create(new { }) : null,
    };
}
