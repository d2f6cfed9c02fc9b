using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;

namespace Relief.Identity.SigningKeys;

/// <summary>
/// The keys this instance signs with and publishes, as last read from the database. OpenIddict reads its keys
/// from its options; <see cref="SigningKeyOptionsSetup"/> builds them from the ring, and the ring's change token
/// makes <c>IOptionsMonitor</c> rebuild them after a rotation, so no restart is needed.
/// </summary>
public sealed class SigningKeyRing : IDisposable
{
    private volatile KeySet _keys = KeySet.Empty;
    private CancellationTokenSource _changed = new();

    public KeySet Keys => _keys;

    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    /// <summary>Replaces the keys when they differ from the current ones and tells the options monitors.</summary>
    public void Publish(KeySet keys)
    {
        if (keys.SameAs(_keys))
        {
            return;
        }

        _keys = keys;
        using var previous = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        previous.Cancel();
    }

    public void Dispose() => _changed.Dispose();

    public sealed record PublishedKey(RsaSecurityKey Key, DateTimeOffset ActivatesAt);

    /// <param name="Signing">Every published RSA key, the latest activation first.</param>
    /// <param name="Encryption">The token encryption key (AES-256), or null before the first load.</param>
    public sealed record KeySet(IReadOnlyList<PublishedKey> Signing, SymmetricSecurityKey? Encryption)
    {
        public static readonly KeySet Empty = new([], null);

        /// <summary>The key that signs at <paramref name="now"/>: the latest one already active.</summary>
        public RsaSecurityKey? CurrentAt(DateTimeOffset now) =>
            (Signing.FirstOrDefault(key => key.ActivatesAt <= now) ?? (Signing.Count > 0 ? Signing[^1] : null))?.Key;

        public bool SameAs(KeySet other) =>
            Signing.Select(key => key.Key.KeyId).SequenceEqual(other.Signing.Select(key => key.Key.KeyId))
            && Encryption?.KeyId == other.Encryption?.KeyId;
    }
}
