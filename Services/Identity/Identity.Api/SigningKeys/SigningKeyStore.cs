using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Relief.Identity.Storage;

namespace Relief.Identity.SigningKeys;

/// <summary>Creates, rotates and loads the authority's keys (table <c>signing_keys</c>).</summary>
public sealed class SigningKeyStore(
    IdentityDb db, IDataProtectionProvider dataProtection, SigningKeyRing ring, IOptions<IdentitySettings> settings, TimeProvider clock)
{
    private IDataProtector Protector => dataProtection.CreateProtector("Relief.Identity.SigningKeys.v1");

    /// <summary>At start-up: a signing key and an encryption key exist (called under the bootstrap lock).</summary>
    public async Task EnsureKeysAsync(CancellationToken cancellationToken)
    {
        if (!await db.SigningKeys.AnyAsync(k => k.Use == SigningKey.SigningUse && k.RetiredAt == null, cancellationToken))
        {
            db.SigningKeys.Add(NewSigningKey(clock.GetUtcNow()));
        }

        if (!await db.SigningKeys.AnyAsync(k => k.Use == SigningKey.EncryptionUse, cancellationToken))
        {
            db.SigningKeys.Add(NewEncryptionKey());
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// A new key, published now, signs from <see cref="IdentitySettings.SigningKeyActivationDelay"/> on; the
    /// previous one is retired then but stays published for the grace period, so tokens it signed keep
    /// validating until they expire.
    /// </summary>
    public async Task<(string KeyId, DateTimeOffset ActivatesAt)> RotateAsync(CancellationToken cancellationToken)
    {
        var activatesAt = clock.GetUtcNow() + settings.Value.SigningKeyActivationDelay;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Serialises concurrent rotations (two admins, two instances): the second waits and retires the first's key.
            await db.Database.ExecuteSqlRawAsync("lock table signing_keys in share row exclusive mode", cancellationToken);
            await db.SigningKeys
                .Where(k => k.Use == SigningKey.SigningUse && k.RetiredAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(k => k.RetiredAt, activatesAt), cancellationToken);
            var key = NewSigningKey(activatesAt);
            db.SigningKeys.Add(key);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            await LoadAsync(cancellationToken);
            return (key.KeyId, activatesAt);
        }
    }

    /// <summary>Reads the keys into the ring, dropping retired keys whose grace period is over.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var removeBefore = clock.GetUtcNow() - settings.Value.SigningKeyGracePeriod;
        await db.SigningKeys
            .Where(k => k.Use == SigningKey.SigningUse && k.RetiredAt != null && k.RetiredAt < removeBefore)
            .ExecuteDeleteAsync(cancellationToken);

        var rows = await db.SigningKeys.AsNoTracking().ToListAsync(cancellationToken);
        var signing = rows
            .Where(k => k.Use == SigningKey.SigningUse)
            .OrderByDescending(k => k.ActivatesAt)
            .Select(k => new SigningKeyRing.PublishedKey(ToRsaKey(k), k.ActivatesAt))
            .ToList();
        var encryption = rows
            .Where(k => k.Use == SigningKey.EncryptionUse)
            .OrderByDescending(k => k.CreatedAt)
            .Select(ToAesKey)
            .FirstOrDefault();
        ring.Publish(new SigningKeyRing.KeySet(signing, encryption));
    }

    private SigningKey NewSigningKey(DateTimeOffset activatesAt)
    {
        using var rsa = RSA.Create(2048);
        return new SigningKey
        {
            KeyId = NewKeyId(),
            Use = SigningKey.SigningUse,
            ProtectedMaterial = Protector.Protect(rsa.ExportPkcs8PrivateKeyPem()),
            CreatedAt = clock.GetUtcNow(),
            ActivatesAt = activatesAt,
        };
    }

    private SigningKey NewEncryptionKey() => new()
    {
        KeyId = NewKeyId(),
        Use = SigningKey.EncryptionUse,
        ProtectedMaterial = Protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
        CreatedAt = clock.GetUtcNow(),
        ActivatesAt = clock.GetUtcNow(),
    };

    private RsaSecurityKey ToRsaKey(SigningKey row)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(Protector.Unprotect(row.ProtectedMaterial));
        // Parameters rather than the RSA instance: the key outlives this method and is shared across threads.
        return new RsaSecurityKey(rsa.ExportParameters(includePrivateParameters: true)) { KeyId = row.KeyId };
    }

    private SymmetricSecurityKey ToAesKey(SigningKey row) =>
        new(Convert.FromBase64String(Protector.Unprotect(row.ProtectedMaterial))) { KeyId = row.KeyId };

    private string NewKeyId() => $"{clock.GetUtcNow():yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
}
