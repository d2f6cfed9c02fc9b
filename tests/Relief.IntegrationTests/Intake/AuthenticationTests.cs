using System.Net;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;

namespace Relief.IntegrationTests.Intake;

public sealed class AuthenticationTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    public static TheoryData<string, string?> BadTokens => new()
    {
        { "no token", null },
        { "signed by a key the authority never published", ForgedTokens.Mint() },
        { "forged and expired", ForgedTokens.Mint(expires: DateTime.UtcNow.AddMinutes(-5)) },
        { "from another issuer", ForgedTokens.Mint(issuer: "http://someone-else/") },
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

    [Fact]
    public async Task A_real_token_with_a_tampered_payload_gets_401()
    {
        var token = await SharedAuthority.SignIn.TokenAsync(TestUsers.PointStaff());
        var parts = token.Split('.');
        // Claim to be the city administrator: the signature no longer matches.
        var payload = System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1]))
            .Replace("point_staff", "city_admin", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        using var client = fixture.Service.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", tampered);

        var response = await client.GetAsync(new Uri($"/api/cases/{Guid.NewGuid()}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
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
