using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.IdentityTests.Infrastructure;

using Relief.Testing;

namespace Relief.IdentityTests;

/// <summary>Rotation that takes effect at once (no activation delay), as an emergency rotation would.</summary>
public sealed class ImmediateRotation : AuthorityFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["Identity:SigningKeyActivationDelay"] = "00:00:00" };
}

public sealed class RotationTests(ImmediateRotation fixture) : IClassFixture<ImmediateRotation>
{
    private readonly Authority _authority = fixture.Authority;

    [Fact]
    public async Task After_a_rotation_new_tokens_carry_the_new_key_and_tokens_of_the_old_key_still_validate()
    {
        await using var service = await ProtectedApi.StartAsync(_authority);
        var before = await _authority.AdminTokenAsync();
        using (var first = await service.CreateClient(before).GetAsync(new Uri("/whoami", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode); // the service has now cached the JWKS of before
        }

        using var rotate = await _authority.CreateClient(before).PostAsync(new Uri("/api/admin/signing-keys/rotate", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        var newKeyId = (await rotate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("keyId").GetString();
        var after = await _authority.AdminTokenAsync();

        Assert.NotEqual(Jwks.Read(before).Kid, Jwks.Read(after).Kid);
        Assert.Equal(newKeyId, Jwks.Read(after).Kid);
        var published = (await Jwks.FetchAsync(_authority.CreateClient())).Keys.Select(key => key.Kid).ToList();
        Assert.Contains(Jwks.Read(before).Kid, published);
        Assert.Contains(Jwks.Read(after).Kid, published);
        Assert.True((await Jwks.ValidateAsync(_authority.CreateClient(), before)).IsValid);
        Assert.True((await Jwks.ValidateAsync(_authority.CreateClient(), after)).IsValid);

        // A service that cached the old key set re-reads it on the unknown kid (JwtBearer refuses that one
        // request and refreshes in the background: the activation delay exists to avoid it), and keeps
        // accepting the old key.
        var accepted = false;
        for (var attempt = 0; attempt < 20 && !accepted; attempt++)
        {
            using var withNewKey = await service.CreateClient(after).GetAsync(new Uri("/whoami", UriKind.Relative));
            accepted = withNewKey.StatusCode == HttpStatusCode.OK;
            await Task.Delay(accepted ? 0 : 100);
        }

        Assert.True(accepted, "the service never accepted the token signed with the new key");
        using var withOldKey = await service.CreateClient(before).GetAsync(new Uri("/whoami", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, withOldKey.StatusCode);

        // The authority's own API accepts both too.
        using var adminWithOldKey = await _authority.CreateClient(before).GetAsync(new Uri("/api/admin/offices", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, adminWithOldKey.StatusCode);
    }
}

public sealed class NoGracePeriod : AuthorityFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Identity:SigningKeyGracePeriod"] = "00:00:00",
        ["Identity:SigningKeyActivationDelay"] = "00:00:00",
    };
}

public sealed class KeyRemovalTests(NoGracePeriod fixture) : IClassFixture<NoGracePeriod>
{
    private readonly Authority _authority = fixture.Authority;

    [Fact]
    public async Task A_retired_key_leaves_the_key_set_once_its_grace_period_is_over()
    {
        var before = await _authority.AdminTokenAsync();

        using var rotate = await _authority.CreateClient(before).PostAsync(new Uri("/api/admin/signing-keys/rotate", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        using var second = await _authority.CreateClient(await _authority.AdminTokenAsync())
            .PostAsync(new Uri("/api/admin/signing-keys/rotate", UriKind.Relative), null);

        var published = (await Jwks.FetchAsync(_authority.CreateClient())).Keys.Select(key => key.Kid).ToList();
        Assert.DoesNotContain(Jwks.Read(before).Kid, published);
        Assert.Single(published);
        Assert.False((await Jwks.ValidateAsync(_authority.CreateClient(), before)).IsValid);
    }
}

public sealed class DelayedActivation : AuthorityFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["Identity:SigningKeyActivationDelay"] = "00:00:03" };
}

public sealed class DelayedActivationTests(DelayedActivation fixture) : IClassFixture<DelayedActivation>
{
    private readonly Authority _authority = fixture.Authority;

    [Fact]
    public async Task A_rotated_in_key_is_published_at_once_and_signs_only_after_the_activation_delay()
    {
        var before = await _authority.AdminTokenAsync();

        using var rotate = await _authority.CreateClient(before).PostAsync(new Uri("/api/admin/signing-keys/rotate", UriKind.Relative), null);
        var rotated = await rotate.Content.ReadFromJsonAsync<JsonElement>();
        var newKeyId = rotated.GetProperty("keyId").GetString();
        var activatesAt = rotated.GetProperty("activatesAt").GetDateTimeOffset();

        Assert.Contains(newKeyId, (await Jwks.FetchAsync(_authority.CreateClient())).Keys.Select(key => key.Kid));
        Assert.Equal(Jwks.Read(before).Kid, Jwks.Read(await _authority.AdminTokenAsync()).Kid);

        await Task.Delay(activatesAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200));

        var after = await _authority.AdminTokenAsync();
        Assert.Equal(newKeyId, Jwks.Read(after).Kid);
        Assert.True((await Jwks.ValidateAsync(_authority.CreateClient(), before)).IsValid);
        Assert.True((await Jwks.ValidateAsync(_authority.CreateClient(), after)).IsValid);
    }
}
