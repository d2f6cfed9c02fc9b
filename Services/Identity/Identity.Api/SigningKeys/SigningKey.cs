namespace Relief.Identity.SigningKeys;

/// <summary>
/// A key of the authority. Signing keys are RSA (published in the JWKS while not removed); the token encryption
/// key is AES-256 (never published: it protects refresh tokens and authorization codes, which only this authority
/// reads). The private material is protected with ASP.NET Core Data Protection.
/// </summary>
public sealed class SigningKey
{
    public const string SigningUse = "sig";
    public const string EncryptionUse = "enc";

    public required string KeyId { get; init; }
    public required string Use { get; init; }
    /// <summary>PKCS#8 PEM (RSA) or base64 (AES), protected with Data Protection.</summary>
    public required string ProtectedMaterial { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>
    /// When the key starts signing. A rotated-in key is published at once but signs only after the activation
    /// delay, so services have fetched it before the first token they see carries its kid.
    /// </summary>
    public required DateTimeOffset ActivatesAt { get; init; }
    /// <summary>When a newer key took over signing; the key is removed once the grace period after it has passed.</summary>
    public DateTimeOffset? RetiredAt { get; set; }
}
