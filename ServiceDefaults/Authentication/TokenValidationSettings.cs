using System.ComponentModel.DataAnnotations;

namespace Relief.ServiceDefaults.Authentication;

/// <summary>
/// Where access tokens come from: the configuration section "Authentication". The AppHost points every service
/// at Relief's own identity authority; a bureau with its own OpenID Connect provider points them there instead.
/// </summary>
public sealed class TokenValidationSettings
{
    public const string SectionName = "Authentication";

    /// <summary>The OpenID Connect authority: its discovery document and signing keys are fetched from here.</summary>
    [Required]
    public string Authority { get; set; } = "";

    [Required]
    public string Audience { get; set; } = "relief";

    /// <summary>False only for development over plain http.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// How often the signing keys are re-read. The authority publishes a new key some minutes before it signs with
    /// it (Identity:SigningKeyActivationDelay, 10 min), so this must be shorter.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);
}
