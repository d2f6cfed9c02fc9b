using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Relief.IdentityTests.Infrastructure;
using Relief.Testing;

namespace Relief.IdentityTests;

public sealed class AuditTests(AuthorityFixture fixture) : IClassFixture<AuthorityFixture>
{
    private readonly Authority _authority = fixture.Authority;

    [Fact]
    public async Task An_auditor_reads_sign_ins_newest_first_and_filters_them()
    {
        var auditor = _authority.CreateClient(await _authority.TokenOfNewUserAsync("auditor", "CITY-BUREAU", "140800", "city_bureau"));
        using (await IdentityAuthorityClient.PostTokenRequestAsync(_authority.CreateClient(), new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "relief-portal", ["username"] = Authority.AdminUserName, ["password"] = "wrong-password",
        }))
        {
        }

        var all = await auditor.GetFromJsonAsync<JsonElement[]>(new Uri("/api/audit", UriKind.Relative));
        var signIns = await auditor.GetFromJsonAsync<JsonElement[]>(new Uri("/api/audit?action=sign_in", UriKind.Relative));
        var future = await auditor.GetFromJsonAsync<JsonElement[]>(
            new Uri($"/api/audit?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}", UriKind.Relative));

        Assert.NotNull(all);
        var times = all.Select(e => e.GetProperty("occurredAt").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
        Assert.Equal("failed", signIns![0].GetProperty("outcome").GetString());
        Assert.Equal(Authority.AdminUserName, signIns[0].GetProperty("actor").GetString());
        Assert.All(signIns, e => Assert.Equal("sign_in", e.GetProperty("action").GetString()));
        Assert.Contains(all, e => e.GetProperty("action").GetString() == "user_created");
        Assert.Empty(future!);
    }

    [Theory]
    [InlineData("point_staff", "YH-CC-001", "140802", "service_point")]
    [InlineData("city_admin", "CITY-BUREAU", "140800", "city_bureau")]
    public async Task Nobody_but_an_auditor_reads_the_audit(string role, string office, string county, string kind)
    {
        var client = _authority.CreateClient(await _authority.TokenOfNewUserAsync(role, office, county, kind));

        using var response = await client.GetAsync(new Uri("/api/audit", UriKind.Relative));
        using var anonymous = await _authority.CreateClient().GetAsync(new Uri("/api/audit", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Theory]
    [InlineData("update audit_entries set outcome = 'succeeded'")]
    [InlineData("delete from audit_entries")]
    [InlineData("truncate audit_entries")]
    public async Task The_audit_trail_cannot_be_changed_or_emptied(string sql)
    {
        await _authority.AdminTokenAsync(); // at least one row
        await using var connection = new NpgsqlConnection(_authority.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);

        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Contains("append-only", error.MessageText, StringComparison.Ordinal);
    }
}
