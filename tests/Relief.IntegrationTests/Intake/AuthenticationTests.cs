using System.Net;
using Relief.Testing;

namespace Relief.IntegrationTests.Intake;

public sealed class AuthenticationTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    public static TheoryData<string, string?> BadTokens => new()
    {
        { "no token", null },
        { "signed with another key", TestTokens.Mint(signingKey: "another-key-that-is-long-enough-0123456789") },
        { "expired", TestTokens.Mint(expires: DateTime.UtcNow.AddMinutes(-5)) },
        { "from another issuer", TestTokens.Mint(issuer: "someone-else") },
        { "not a token at all", "not-a-jwt" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_request_without_a_valid_token_gets_401(string why, string? token)
    {
        using var client = fixture.Service.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        var post = await client.PostCaseAsync(CaseRequests.Valid());
        var get = await client.GetAsync(new Uri($"/api/cases/{Guid.NewGuid()}", UriKind.Relative));

        Assert.True(post.StatusCode == HttpStatusCode.Unauthorized, $"POST with {why}: {post.StatusCode}");
        Assert.True(get.StatusCode == HttpStatusCode.Unauthorized, $"GET with {why}: {get.StatusCode}");
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task Health_endpoints_answer_without_a_token(string path)
    {
        using var client = fixture.Service.CreateClient();

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
