using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Relief.ServiceDefaults.PersonalData;

/// <summary>
/// Keys for personal data at rest (configuration section "PersonalData"): AES-256 keys by id, so keys can rotate
/// (new values are sealed with the active key, old ones stay readable), and a separate lookup key for the keyed
/// hash that finds and de-duplicates exact values without decrypting anything.
/// </summary>
public sealed class PersonalDataOptions
{
    public const string SectionName = "PersonalData";

    [Required]
    public string ActiveKeyId { get; set; } = "";

    /// <summary>Key id → a secret of at least 32 characters (a 256-bit key is derived from it with HKDF).</summary>
    public Dictionary<string, string> Keys { get; set; } = [];

    /// <summary>A secret of at least 32 characters, for the keyed hash (HMAC-SHA256).</summary>
    [Required]
    public string LookupKey { get; set; } = "";
}

/// <summary>A sealed value: AES-GCM (nonce ‖ tag ‖ ciphertext) and the id of the key that sealed it.</summary>
public sealed record SealedValue(string KeyId, byte[] Ciphertext);

/// <summary>
/// Seals personal data with an authenticated cipher (AES-256-GCM). The row's id is bound in as associated data,
/// so a ciphertext copied to another row does not open there.
/// </summary>
public sealed class PersonalDataProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly string activeKeyId;
    private readonly Dictionary<string, byte[]> keys;
    private readonly byte[] lookupKey;

    public PersonalDataProtector(IOptions<PersonalDataOptions> options)
    {
        var settings = options.Value;
        keys = settings.Keys.ToDictionary(pair => pair.Key, pair => Key(pair.Value, "encryption", $"PersonalData:Keys:{pair.Key}"));
        if (!keys.ContainsKey(settings.ActiveKeyId))
        {
            throw new InvalidOperationException($"PersonalData:ActiveKeyId '{settings.ActiveKeyId}' names no key in PersonalData:Keys.");
        }

        activeKeyId = settings.ActiveKeyId;
        lookupKey = Key(settings.LookupKey, "lookup", "PersonalData:LookupKey");
    }

    public SealedValue Seal(string value, Guid owner)
    {
        var plaintext = Encoding.UTF8.GetBytes(value);
        var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(keys[activeKeyId], TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), owner.ToByteArray());
        return new SealedValue(activeKeyId, sealedBytes);
    }

    public string Open(SealedValue value, Guid owner)
    {
        if (!keys.TryGetValue(value.KeyId, out var key))
        {
            throw new CryptographicException($"Personal-data key '{value.KeyId}' is not configured.");
        }

        var sealedBytes = value.Ciphertext.AsSpan();
        var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedBytes[..NonceSize], sealedBytes[(NonceSize + TagSize)..], sealedBytes.Slice(NonceSize, TagSize), plaintext, owner.ToByteArray());
        return Encoding.UTF8.GetString(plaintext);
    }

    /// <summary>The keyed hash of a normalized value: equal values, equal hashes; useless without the key.</summary>
    public byte[] LookupHash(string normalizedValue) => HMACSHA256.HashData(lookupKey, Encoding.UTF8.GetBytes(normalizedValue));

    /// <summary>A 256-bit key derived from a configured secret, separate for each use.</summary>
    private static byte[] Key(string secret, string use, string name) =>
        secret.Length >= 32
            ? HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: Encoding.UTF8.GetBytes("relief-personal-data-" + use))
            : throw new InvalidOperationException($"{name} must be at least 32 characters.");
}
