using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Relief.IdentityTests.Infrastructure;
using Relief.Testing;

namespace Relief.IdentityTests;

public sealed class TokenTests(AuthorityFixture fixture) : IClassFixture<AuthorityFixture>
{
    private readonly Authority _authority = fixture.Authority;

    [Fact]
    public async Task The_bootstrap_admin_gets_a_signed_access_token_with_the_relief_claims()
    {
        var client = _authority.CreateClient();
        var response = await IdentityAuthorityClient.RequestPasswordTokenAsync(client, Authority.AdminUserName, Authority.AdminPassword);

        var token = Jwks.Read(response.AccessToken);
        Assert.Equal("city_admin", token.GetClaim("role").Value);
        Assert.Equal("CITY-BUREAU", token.GetClaim("office").Value);
        Assert.Equal("140800", token.GetClaim("county").Value);
        Assert.Equal(Authority.AdminUserName, token.GetClaim("name").Value);
        Assert.False(string.IsNullOrEmpty(token.Subject));
        Assert.Contains("relief", token.Audiences);
        Assert.Equal(Authority.Issuer, token.Issuer);
        Assert.Equal("RS256", token.Alg);
        Assert.NotNull(response.RefreshToken);

        var jwks = await Jwks.FetchAsync(client);
        Assert.Contains(token.Kid, jwks.Keys.Select(key => key.Kid));
        Assert.True((await Jwks.ValidateAsync(client, response.AccessToken)).IsValid);
        // Default lifetime: 15 minutes.
        Assert.InRange(token.ValidTo - token.IssuedAt, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(16));
    }

    [Fact]
    public async Task A_wrong_password_is_invalid_grant_and_is_audited_as_failed()
    {
        var client = _authority.CreateClient();
        var (userName, _) = await IdentityAuthorityClient.CreateUserAsync(
            client, await _authority.AdminTokenAsync(), "point_staff", "YH-CC-001", "140802", "service_point");

        using var response = await PasswordGrantAsync(client, userName, "not-the-password");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(["failed"], await AuditOutcomesAsync(userName));
        Assert.DoesNotContain("not-the-password", await AuditDetailsAsync());
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_password()
    {
        var client = _authority.CreateClient();
        var (userName, password) = await IdentityAuthorityClient.CreateUserAsync(
            client, await _authority.AdminTokenAsync(), "hotline_operator", "HOTLINE-12345", "140800", "hotline");

        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var wrong = await PasswordGrantAsync(client, userName, $"wrong-{attempt}");
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        using var right = await PasswordGrantAsync(client, userName, password);

        Assert.Equal(HttpStatusCode.BadRequest, right.StatusCode);
        var body = await right.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
        Assert.Contains("locked", body.GetProperty("error_description").GetString(), StringComparison.OrdinalIgnoreCase);
        var outcomes = await AuditOutcomesAsync(userName);
        Assert.Equal("locked_out", outcomes[0]);
        Assert.Equal(4, outcomes.Count(outcome => outcome == "failed"));
    }

    [Fact]
    public async Task An_unknown_user_is_invalid_grant_like_a_wrong_password()
    {
        using var response = await PasswordGrantAsync(_authority.CreateClient(), "nobody-here", "whatever-password");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(["failed"], await AuditOutcomesAsync("nobody-here"));
    }

    [Fact]
    public async Task A_refresh_token_gives_a_new_access_token_with_the_current_role()
    {
        var client = _authority.CreateClient();
        var adminToken = await _authority.AdminTokenAsync();
        var (userName, password) = await IdentityAuthorityClient.CreateUserAsync(
            client, adminToken, "county_officer", "CO-140802", "140802", "county_office");
        var first = await IdentityAuthorityClient.RequestPasswordTokenAsync(client, userName, password);
        var userId = Jwks.Read(first.AccessToken).Subject;

        using var change = await _authority.CreateClient(adminToken)
            .PutAsJsonAsync(new Uri($"/api/admin/users/{userId}/role", UriKind.Relative), new { role = "auditor" });
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        var refreshed = await IdentityAuthorityClient.RefreshAsync(client, first.RefreshToken!);

        var token = Jwks.Read(refreshed.AccessToken);
        Assert.Equal(userId, token.Subject);
        Assert.Equal("auditor", token.GetClaim("role").Value);
        Assert.Equal("CO-140802", token.GetClaim("office").Value);
    }

    [Fact]
    public async Task A_service_gets_a_token_by_client_credentials()
    {
        using var response = await IdentityAuthorityClient.PostTokenRequestAsync(_authority.CreateClient(), new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = Authority.ServiceClientId,
            ["client_secret"] = Authority.ServiceClientSecret,
            ["scope"] = "relief",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = Jwks.Read((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!);
        Assert.Equal(Authority.ServiceClientId, token.Subject);
        Assert.Contains("relief", token.Audiences);
        Assert.False(token.TryGetClaim("role", out _));
    }

    [Fact]
    public async Task A_wrong_client_secret_is_refused()
    {
        using var response = await IdentityAuthorityClient.PostTokenRequestAsync(_authority.CreateClient(), new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = Authority.ServiceClientId,
            ["client_secret"] = "wrong-secret",
        });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    private static Task<HttpResponseMessage> PasswordGrantAsync(HttpClient client, string userName, string password) =>
        IdentityAuthorityClient.PostTokenRequestAsync(client, new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = IdentityAuthorityClient.ClientId,
            ["username"] = userName,
            ["password"] = password,
            ["scope"] = IdentityAuthorityClient.Scopes,
        });

    /// <summary>The sign-in outcomes recorded for a user name, newest first.</summary>
    private async Task<List<string>> AuditOutcomesAsync(string userName)
    {
        await using var connection = new NpgsqlConnection(_authority.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select outcome from audit_entries where actor = @actor and action = 'sign_in' order by id desc", connection);
        command.Parameters.AddWithValue("actor", userName);
        var outcomes = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            outcomes.Add(reader.GetString(0));
        }

        return outcomes;
    }

    private async Task<string> AuditDetailsAsync()
    {
        await using var connection = new NpgsqlConnection(_authority.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select string_agg(coalesce(detail, ''), ' ') from audit_entries", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
