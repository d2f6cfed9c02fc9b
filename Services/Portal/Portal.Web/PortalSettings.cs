namespace Relief.Portal;

/// <summary>The portal's configuration: the section "Portal".</summary>
public sealed class PortalSettings
{
    public const string SectionName = "Portal";

    /// <summary>The identity authority's address as the browser reaches it (the issuer).</summary>
    public Uri? Authority { get; set; }

    public string ClientId { get; set; } = "relief-web";
    public string? ClientSecret { get; set; }
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// How often the portal asks the authority whether the session still stands (a token refresh), even while the
    /// access token is valid: a disabled user, a changed role or office shows within this time.
    /// </summary>
    public TimeSpan RecheckEvery { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A working shift: the portal session ends after this, like the refresh token behind it.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);
}
