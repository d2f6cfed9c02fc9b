using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Relief.ServiceDefaults.PersonalData;

/// <summary>
/// Keys for personal data at rest (configuration section "PersonalData"): AES-256 keys by id, so keys can rotate (new
/// values are sealed with the active key, old ones stay readable), and lookup keys by id for the keyed hash that finds
/// and de-duplicates exact values without decrypting anything (new values are hashed with the active lookup key; values
/// hashed with an older one are still found while it is configured).
/// </summary>
public sealed class PersonalDataOptions
{
    public const string SectionName = "PersonalData";
    public const int MinimumSecretLength = 32;

    public string ActiveKeyId { get; set; } = "";

    /// <summary>Key id → a secret of at least 32 characters (a 256-bit key is derived from it with HKDF).</summary>
    public Dictionary<string, string> Keys { get; set; } = [];

    public string ActiveLookupKeyId { get; set; } = "";

    /// <summary>Lookup key id → a secret of at least 32 characters, for the keyed hash (HMAC-SHA256).</summary>
    public Dictionary<string, string> LookupKeys { get; set; } = [];
}

/// <summary>
/// Checks the keys when the service starts, so a missing or short key stops it at once with a clear message rather
/// than failing the first registration that carries an ID number.
/// </summary>
public sealed class PersonalDataOptionsValidator : IValidateOptions<PersonalDataOptions>
{
    public ValidateOptionsResult Validate(string? name, PersonalDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Check(failures, "Keys", options.ActiveKeyId, options.Keys);
        Check(failures, "LookupKeys", options.ActiveLookupKeyId, options.LookupKeys);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string section, string activeId, Dictionary<string, string> keys)
    {
        var activeName = section == "Keys" ? "ActiveKeyId" : "ActiveLookupKeyId";
        if (string.IsNullOrWhiteSpace(activeId))
        {
            failures.Add($"PersonalData:{activeName} is not configured.");
        }
        else if (!keys.ContainsKey(activeId))
        {
            failures.Add($"PersonalData:{activeName} '{activeId}' names no key in PersonalData:{section}.");
        }

        foreach (var (id, secret) in keys)
        {
            if (secret is null || secret.Length < PersonalDataOptions.MinimumSecretLength)
            {
                failures.Add($"PersonalData:{section}:{id} must be at least {PersonalDataOptions.MinimumSecretLength} characters.");
            }
        }
    }
}

/// <summary>A sealed value: AES-GCM (nonce ‖ tag ‖ ciphertext) and the id of the key that sealed it.</summary>
public sealed record SealedValue(string KeyId, byte[] Ciphertext);

/// <summary>A keyed hash and the id of the lookup key it was made with.</summary>
public sealed record LookupHash(string KeyId, byte[] Hash);

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
    private readonly string activeLookupKeyId;
    private readonly Dictionary<string, byte[]> lookupKeys;

    public PersonalDataProtector(IOptions<PersonalDataOptions> options)
    {
        // Validated at start-up (PersonalDataOptionsValidator): every id below names a long enough key.
        var settings = options.Value;
        keys = settings.Keys.ToDictionary(pair => pair.Key, pair => Key(pair.Value, "encryption"));
        activeKeyId = settings.ActiveKeyId;
        lookupKeys = settings.LookupKeys.ToDictionary(pair => pair.Key, pair => Key(pair.Value, "lookup"));
        activeLookupKeyId = settings.ActiveLookupKeyId;
    }

    public SealedValue Seal(string value, Guid owner) => SealBytes(Encoding.UTF8.GetBytes(value), owner);

    /// <summary>Seals binary personal data (a photo) as <see cref="Seal"/> seals text, without a text encoding between.</summary>
    public SealedValue SealBytes(ReadOnlySpan<byte> plaintext, Guid owner)
    {
        var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(keys[activeKeyId], TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), owner.ToByteArray());
        return new SealedValue(activeKeyId, sealedBytes);
    }

    public string Open(SealedValue value, Guid owner) => Encoding.UTF8.GetString(OpenBytes(value, owner));

    public byte[] OpenBytes(SealedValue value, Guid owner)
    {
        if (!keys.TryGetValue(value.KeyId, out var key))
        {
            throw new CryptographicException($"Personal-data key '{value.KeyId}' is not configured.");
        }

        var sealedBytes = value.Ciphertext.AsSpan();
        var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedBytes[..NonceSize], sealedBytes[(NonceSize + TagSize)..], sealedBytes.Slice(NonceSize, TagSize), plaintext, owner.ToByteArray());
        return plaintext;
    }

    /// <summary>The keyed hash of a normalized value under the active lookup key, to store beside the sealed value.</summary>
    public LookupHash LookupHash(string normalizedValue) =>
        new(activeLookupKeyId, Hash(lookupKeys[activeLookupKeyId], normalizedValue));

    /// <summary>
    /// The value's hash under every configured lookup key: what to search for, so rows hashed before the lookup key
    /// rotated are still found.
    /// </summary>
    public IReadOnlyList<byte[]> LookupHashes(string normalizedValue) =>
        lookupKeys.Values.Select(key => Hash(key, normalizedValue)).ToList();

    private static byte[] Hash(byte[] key, string normalizedValue) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(normalizedValue));

    /// <summary>A 256-bit key derived from a configured secret, separate for each use.</summary>
    private static byte[] Key(string secret, string use) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: Encoding.UTF8.GetBytes("relief-personal-data-" + use));
}
