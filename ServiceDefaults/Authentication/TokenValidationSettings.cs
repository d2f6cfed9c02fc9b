using System.ComponentModel.DataAnnotations;

namespace Relief.ServiceDefaults.Authentication;

/// <summary>
/// How a service checks access tokens: the configuration section "Authentication". The AppHost supplies a
/// development signing key; a deployment points these at its own issuer.
/// </summary>
public sealed class TokenValidationSettings
{
    public const string SectionName = "Authentication";

    [Required]
    public string Issuer { get; set; } = "relief-dev";

    [Required]
    public string Audience { get; set; } = "relief";

    /// <summary>A symmetric key of at least 32 bytes (HMAC-SHA256).</summary>
    [Required, MinLength(32)]
    public string SigningKey { get; set; } = "";
}
