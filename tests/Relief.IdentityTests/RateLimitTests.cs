using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.IdentityTests.Infrastructure;
using Relief.Testing;

namespace Relief.IdentityTests;

public sealed class TightRateLimit : AuthorityFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["Identity:RateLimit:TokenRequestsPerUserPerMinute"] = "3" };
}

public sealed class RateLimitTests(TightRateLimit fixture) : IClassFixture<TightRateLimit>
{
    [Fact]
    public async Task Too_many_token_requests_for_one_user_are_a_429_problem()
    {
        var client = fixture.Authority.CreateClient();
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = IdentityAuthorityClient.ClientId, ["username"] = "guessed-user", ["password"] = "guess",
        };
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var allowed = await IdentityAuthorityClient.PostTokenRequestAsync(client, form);
            Assert.Equal(HttpStatusCode.BadRequest, allowed.StatusCode);
        }

        using var limited = await IdentityAuthorityClient.PostTokenRequestAsync(client, form);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        // Another user is not held back by the first one's budget.
        var other = await IdentityAuthorityClient.RequestPasswordTokenAsync(client, Authority.AdminUserName, Authority.AdminPassword);
        Assert.NotEmpty(other.AccessToken);
    }
}
