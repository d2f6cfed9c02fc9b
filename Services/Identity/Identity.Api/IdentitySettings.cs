namespace Relief.Identity;

/// <summary>The authority's configuration: the section "Identity".</summary>
public sealed class IdentitySettings
{
    public const string SectionName = "Identity";

    /// <summary>The issuer written into tokens; when unset, the request's base URL (OpenIddict's default).</summary>
    public Uri? Issuer { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A working shift; a refresh token does not outlive the day it was issued on.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How long after a rotation the new key starts signing (it is published at once). Services should re-read
    /// the JWKS at least this often; a service that meets an unknown kid re-reads it anyway, failing that one request.
    /// </summary>
    public TimeSpan SigningKeyActivationDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a retired signing key stays published (and so still validates tokens it signed).</summary>
    public TimeSpan SigningKeyGracePeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often an instance re-reads the signing keys, so a rotation on another instance reaches it.</summary>
    public TimeSpan SigningKeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long the authority's own sign-in (its cookie) lasts: a portal sign-in within it needs no password.</summary>
    public TimeSpan SignInSessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>The staff portal (a confidential client: authorization code with PKCE, refresh tokens).</summary>
    public WebPortalSettings WebPortal { get; set; } = new();

    public LockoutSettings Lockout { get; set; } = new();

    public RateLimitSettings RateLimit { get; set; } = new();

    public BootstrapSettings Bootstrap { get; set; } = new();

    /// <summary>Confidential clients for service-to-service calls (client credentials): client id → secret.</summary>
    public Dictionary<string, string> ServiceClients { get; set; } = [];

    public sealed class WebPortalSettings
    {
        public string ClientId { get; set; } = "relief-web";

        /// <summary>Unset: the portal client is not registered (the authority serves tools and services only).</summary>
        public string? ClientSecret { get; set; }

        /// <summary>The portal's sign-in callbacks, e.g. <c>http://localhost:5105/signin-oidc</c>.</summary>
        public List<Uri> RedirectUris { get; set; } = [];

        /// <summary>Where the browser may be sent after sign-out, e.g. <c>http://localhost:5105/signout-callback-oidc</c>.</summary>
        public List<Uri> PostLogoutRedirectUris { get; set; } = [];
    }

    public sealed class LockoutSettings
    {
        public int MaxFailedAttempts { get; set; } = 5;
        public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);
    }

    public sealed class RateLimitSettings
    {
        /// <summary>Token requests from one client address per minute.</summary>
        public int TokenRequestsPerIpPerMinute { get; set; } = 60;

        /// <summary>Password-grant requests naming one user per minute, from anywhere.</summary>
        public int TokenRequestsPerUserPerMinute { get; set; } = 10;
    }

    public sealed class BootstrapSettings
    {
        /// <summary>The first city administrator, created at start-up when no administrator exists.</summary>
        public string? AdminUserName { get; set; }
        public string? AdminPassword { get; set; }
    }

    public static IdentitySettings From(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<IdentitySettings>() ?? new IdentitySettings();
}
