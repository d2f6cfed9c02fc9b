using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.IdentityTests.Infrastructure;
using Relief.Testing;

namespace Relief.IdentityTests;

/// <summary>
/// What the portal's administration pages do to accounts, at the authority: closing an office, disabling a user,
/// moving them, resetting a password, and a user changing their own.
/// </summary>
public sealed class AccountLifecycleTests(AuthorityFixture fixture) : IClassFixture<AuthorityFixture>
{
    private readonly Authority _authority = fixture.Authority;

    [Fact]
    public async Task A_disabled_user_gets_no_token_and_their_refresh_token_is_refused_until_enabled()
    {
        var client = _authority.CreateClient();
        var admin = _authority.CreateClient(await _authority.AdminTokenAsync());
        var (userName, password) = await IdentityAuthorityClient.CreateUserAsync(client, await _authority.AdminTokenAsync(), "point_staff", "YH-CC-001", "140802", "service_point");
        var tokens = await IdentityAuthorityClient.RequestPasswordTokenAsync(client, userName, password);
        var id = Jwks.Read(tokens.AccessToken).Subject;

        using (var disabled = await admin.PostAsync(new Uri($"/api/admin/users/{id}/disable", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
            Assert.NotEqual(JsonValueKind.Null, (await disabled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("disabledAt").ValueKind);
        }

        await AssertRefusedAsync(client, userName, password);
        using (var refresh = await IdentityAuthorityClient.PostTokenRequestAsync(client, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = IdentityAuthorityClient.ClientId, ["refresh_token"] = tokens.RefreshToken!,
        }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        }

        using (var enabled = await admin.PostAsync(new Uri($"/api/admin/users/{id}/enable", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        }

        Assert.NotEmpty(await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, password));
    }

    [Fact]
    public async Task A_closed_office_signs_nobody_in_takes_no_new_user_and_opens_again()
    {
        var client = _authority.CreateClient();
        var adminToken = await _authority.AdminTokenAsync();
        var admin = _authority.CreateClient(adminToken);
        var office = $"CLOSE-{Random.Shared.Next(100000, 999999)}";
        var (userName, password) = await IdentityAuthorityClient.CreateUserAsync(client, adminToken, "point_staff", office, "140821", "service_point");

        (await admin.PostAsync(new Uri($"/api/admin/offices/{office}/deactivate", UriKind.Relative), null)).EnsureSuccessStatusCode();

        await AssertRefusedAsync(client, userName, password);
        using (var newUser = await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative),
            new { userName = $"closed-{Guid.NewGuid():N}"[..20], password = "a-long-password-123", officeCode = office, role = "point_staff" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, newUser.StatusCode);
            Assert.True((await newUser.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("officeCode", out _));
        }

        var active = await admin.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/offices?county=140821", UriKind.Relative));
        Assert.DoesNotContain(active.EnumerateArray(), o => o.GetProperty("code").GetString() == office);
        var all = await admin.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/offices?county=140821&kind=service_point&includeInactive=true", UriKind.Relative));
        Assert.Contains(all.EnumerateArray(), o => o.GetProperty("code").GetString() == office && !o.GetProperty("active").GetBoolean());
        Assert.All(all.EnumerateArray(), o => Assert.Equal("140821", o.GetProperty("countyCode").GetString()));

        (await admin.PostAsync(new Uri($"/api/admin/offices/{office}/reactivate", UriKind.Relative), null)).EnsureSuccessStatusCode();
        Assert.NotEmpty(await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, password));
    }

    [Fact]
    public async Task An_office_is_renamed_and_moved_but_the_city_bureau_stays_the_citys()
    {
        var admin = _authority.CreateClient(await _authority.AdminTokenAsync());
        var office = $"RENAME-{Random.Shared.Next(100000, 999999)}";
        (await admin.PostAsJsonAsync(new Uri("/api/admin/offices", UriKind.Relative), new { code = office, name = "旧名", kind = "service_point", countyCode = "140802" }))
            .EnsureSuccessStatusCode();

        using (var renamed = await admin.PutAsJsonAsync(new Uri($"/api/admin/offices/{office}", UriKind.Relative), new { name = "新名", countyCode = "140821" }))
        {
            var view = await renamed.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(("新名", "140821", "service_point"),
                (view.GetProperty("name").GetString(), view.GetProperty("countyCode").GetString(), view.GetProperty("kind").GetString()));
        }

        using var bureau = await admin.PutAsJsonAsync(new Uri("/api/admin/offices/CITY-BUREAU", UriKind.Relative), new { name = "x", countyCode = "140802" });
        Assert.Equal(HttpStatusCode.BadRequest, bureau.StatusCode);
        Assert.True((await bureau.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("countyCode", out _));
        using var closeBureau = await admin.PostAsync(new Uri("/api/admin/offices/CITY-BUREAU/deactivate", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.BadRequest, closeBureau.StatusCode);
    }

    [Fact]
    public async Task A_user_moves_only_to_an_office_their_role_fits_and_the_token_shows_the_new_office()
    {
        var client = _authority.CreateClient();
        var adminToken = await _authority.AdminTokenAsync();
        var admin = _authority.CreateClient(adminToken);
        var (userName, password) = await IdentityAuthorityClient.CreateUserAsync(client, adminToken, "point_staff", "YH-CC-001", "140802", "service_point");
        var id = Jwks.Read(await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, password)).Subject;
        await IdentityAuthorityClient.CreateUserAsync(client, adminToken, "point_staff", "LY-LS-003", "140821", "service_point");
        await IdentityAuthorityClient.CreateUserAsync(client, adminToken, "station_staff", "YH-RS-001", "140802", "relief_station");

        using (var toStation = await admin.PutAsJsonAsync(new Uri($"/api/admin/users/{id}/office", UriKind.Relative), new { officeCode = "YH-RS-001" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, toStation.StatusCode);
            Assert.True((await toStation.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("officeCode", out _));
        }

        (await admin.PutAsJsonAsync(new Uri($"/api/admin/users/{id}/office", UriKind.Relative), new { officeCode = "LY-LS-003" })).EnsureSuccessStatusCode();
        var token = Jwks.Read(await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, password));
        Assert.Equal(("LY-LS-003", "140821"), (token.GetClaim("office").Value, token.GetClaim("county").Value));
    }

    [Fact]
    public async Task A_reset_password_replaces_the_old_one_and_lifts_a_lock_out_and_a_refused_one_changes_nothing()
    {
        var client = _authority.CreateClient();
        var admin = _authority.CreateClient(await _authority.AdminTokenAsync());
        var (userName, password) = await IdentityAuthorityClient.CreateUserAsync(client, await _authority.AdminTokenAsync(), "point_staff", "YH-CC-001", "140802", "service_point");
        var id = Jwks.Read(await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, password)).Subject;

        using (var tooShort = await admin.PostAsJsonAsync(new Uri($"/api/admin/users/{id}/password", UriKind.Relative), new { password = "short" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
            Assert.True((await tooShort.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("password", out _));
        }

        Assert.NotEmpty(await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, password));
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var wrong = await IdentityAuthorityClient.PostTokenRequestAsync(client, new Dictionary<string, string>
            {
                ["grant_type"] = "password", ["client_id"] = IdentityAuthorityClient.ClientId, ["username"] = userName, ["password"] = "wrong-password",
            });
        }

        await AssertRefusedAsync(client, userName, password); // locked out

        (await admin.PostAsJsonAsync(new Uri($"/api/admin/users/{id}/password", UriKind.Relative), new { password = "a-brand-new-password" })).EnsureSuccessStatusCode();
        await AssertRefusedAsync(client, userName, password);
        Assert.NotEmpty(await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, "a-brand-new-password"));
    }

    [Fact]
    public async Task A_user_changes_their_own_password_only_with_the_current_one()
    {
        var client = _authority.CreateClient();
        var (userName, password) = await IdentityAuthorityClient.CreateUserAsync(client, await _authority.AdminTokenAsync(), "station_staff", "YH-RS-001", "140802", "relief_station");
        var self = _authority.CreateClient(await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, password));

        using (var wrong = await self.PostAsJsonAsync(new Uri("/api/account/password", UriKind.Relative), new { currentPassword = "not-it-at-all", newPassword = "my-new-long-password" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            Assert.True((await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("currentPassword", out _));
        }

        using (var right = await self.PostAsJsonAsync(new Uri("/api/account/password", UriKind.Relative), new { currentPassword = password, newPassword = "my-new-long-password" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, right.StatusCode);
        }

        await AssertRefusedAsync(client, userName, password);
        Assert.NotEmpty(await IdentityAuthorityClient.GetAccessTokenAsync(client, userName, "my-new-long-password"));
    }

    [Fact]
    public async Task The_authority_publishes_its_OpenAPI_document_to_anyone()
    {
        var document = await _authority.CreateClient().GetFromJsonAsync<JsonElement>(new Uri("/openapi/v1.json", UriKind.Relative));
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/admin/offices", out _));
        Assert.True(paths.TryGetProperty("/api/admin/users/{id}/disable", out _));
        Assert.True(paths.TryGetProperty("/api/account/password", out _));
    }

    private static async Task AssertRefusedAsync(HttpClient client, string userName, string password)
    {
        using var response = await IdentityAuthorityClient.PostTokenRequestAsync(client, new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = IdentityAuthorityClient.ClientId, ["username"] = userName, ["password"] = password,
            ["scope"] = IdentityAuthorityClient.Scopes,
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
