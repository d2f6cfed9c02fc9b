using System.Net;
using Microsoft.IdentityModel.Tokens;
using Relief.IdentityTests.Infrastructure;

using Relief.Testing;

namespace Relief.IdentityTests;

public sealed class ShortLivedTokens : AuthorityFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["Identity:AccessTokenLifetime"] = "00:00:02" };
}

public sealed class ExpiryTests(ShortLivedTokens fixture) : IClassFixture<ShortLivedTokens>
{
    private readonly Authority _authority = fixture.Authority;

    [Fact]
    public async Task A_service_accepts_an_access_token_until_it_expires_and_then_rejects_it()
    {
        await using var service = await ProtectedApi.StartAsync(_authority);
        var token = await _authority.AdminTokenAsync();
        var jwt = Jwks.Read(token);
        Assert.Equal(TimeSpan.FromSeconds(2), jwt.ValidTo - jwt.IssuedAt);

        using var fresh = await service.CreateClient(token).GetAsync(new Uri("/whoami", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);

        await Task.Delay(jwt.ValidTo - DateTime.UtcNow + TimeSpan.FromSeconds(1));

        using var expired = await service.CreateClient(token).GetAsync(new Uri("/whoami", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("expired", expired.Headers.WwwAuthenticate.ToString(), StringComparison.OrdinalIgnoreCase);
        var validation = await Jwks.ValidateAsync(_authority.CreateClient(), token);
        Assert.IsType<SecurityTokenExpiredException>(validation.Exception);
    }
}
