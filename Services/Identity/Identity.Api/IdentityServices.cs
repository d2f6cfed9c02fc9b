using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;
using Relief.Identity.Account;
using Relief.Identity.Audit;
using Relief.Identity.Offices;
using Relief.Identity.SignIn;
using Relief.Identity.SigningKeys;
using Relief.Identity.Storage;
using Relief.Identity.Tokens;
using Relief.Identity.Users;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Http;
using Relief.ServiceDefaults.Messaging;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Relief.Identity;

/// <summary>
/// The OpenID Connect authority: OpenIddict's server over ASP.NET Core Identity's users, both stored with EF
/// Core in identitydb. <c>AddBasicServiceDefaults()</c>, not <c>AddServiceDefaults()</c>: the latter makes a service
/// validate tokens of an external issuer; the authority validates its own (OpenIddict validation against the local
/// server) and limits its token endpoint its own way.
/// </summary>
public static class IdentityServices
{
    /// <summary>Largest request body the authority reads: token forms and admin JSON are small.</summary>
    public const long MaxRequestBodySize = 64 * 1024;

    public static WebApplicationBuilder AddIdentityAuthority(this WebApplicationBuilder builder)
    {
        builder.AddBasicServiceDefaults();

        var settings = IdentitySettings.From(builder.Configuration);
        builder.Services.AddOptions<IdentitySettings>().BindConfiguration(IdentitySettings.SectionName);

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodySize);
        builder.Services.Configure<FormOptions>(form =>
        {
            form.ValueCountLimit = 32;
            form.ValueLengthLimit = 8 * 1024;
            form.KeyLengthLimit = 256;
            form.MultipartBodyLengthLimit = MaxRequestBodySize;
        });

        // Retries off: Identity, OpenIddict and key rotation open their own transactions, which a retrying
        // execution strategy refuses.
        builder.AddNpgsqlDbContext<IdentityDb>(IdentityBootstrapper.ConnectionName,
            npgsql => npgsql.DisableRetry = true,
            options => IdentityDbOptions.Apply(options));

        // The announcements of office changes (OfficeChanged) go through the outbox and relay every service uses: the
        // shared scripts create its tables in identitydb beside EF Core's (which stay EF Core's), on a data source of
        // their own. Its migrator is the first hosted service, so the bootstrapper can announce offices into it.
        builder.AddReliefDataSource(IdentityBootstrapper.ConnectionName, typeof(IdentityServices).Assembly);

        // First of the authority's hosted services (Data Protection's own preloads its key ring from the database): the
        // database is created, migrated and seeded and the keys loaded before anything else and the first request.
        builder.Services.AddHostedService<IdentityBootstrapper>();
        builder.Services.AddDataProtection()
            .SetApplicationName("relief-identity")
            .PersistKeysToDbContext<IdentityDb>();

        AddUsers(builder.Services, settings);
        AddOpenIddict(builder.Services, settings);
        builder.Services.AddTokenRateLimiting(settings.RateLimit);

        // The sign-in page (Razor Pages: antiforgery and model binding for one form).
        builder.Services.AddRazorPages();

        builder.Services.AddSingleton<SigningKeyRing>();
        builder.Services.AddScoped<SigningKeyStore>();
        builder.Services.AddScoped<ReliefPrincipals>();
        builder.Services.AddScoped<PasswordCheck>();
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddScoped<OfficeChanges>();
        builder.Services.AddRequestValidators<IdentityApi>();

        builder.Services.AddHostedService<SigningKeyRefresher>();

        // Publishes only (no consumers). The bus and the relay wait for a broker that is away, so the authority signs
        // users in without one; the announcements wait in the outbox.
        builder.AddReliefMessaging("identity");
        return builder;
    }

    private static void AddUsers(IServiceCollection services, IdentitySettings settings)
    {
        services.AddIdentityCore<StaffUser>(identity =>
            {
                identity.User.RequireUniqueEmail = false;
                identity.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-";
                // Length over composition rules (NIST SP 800-63B).
                identity.Password.RequiredLength = 10;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireDigit = false;
                identity.Lockout.AllowedForNewUsers = true;
                identity.Lockout.MaxFailedAccessAttempts = settings.Lockout.MaxFailedAttempts;
                identity.Lockout.DefaultLockoutTimeSpan = settings.Lockout.Duration;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<IdentityDb>()
            .AddSignInManager();
    }

    private static void AddOpenIddict(IServiceCollection services, IdentitySettings settings)
    {
        services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<IdentityDb>())
            .AddServer(server =>
            {
                server.SetTokenEndpointUris(TokenEndpoint.Path.TrimStart('/'))
                    .SetAuthorizationEndpointUris(AuthorizationEndpoints.AuthorizePath.TrimStart('/'))
                    .SetEndSessionEndpointUris(AuthorizationEndpoints.EndSessionPath.TrimStart('/'))
                    .SetRevocationEndpointUris(AuthorizationEndpoints.RevocationPath.TrimStart('/'));
                server.AllowPasswordFlow().AllowRefreshTokenFlow().AllowClientCredentialsFlow()
                    .AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                server.RegisterScopes(Scopes.OpenId, Scopes.OfflineAccess, Scopes.Profile, ReliefPrincipals.Scope);
                server.SetAccessTokenLifetime(settings.AccessTokenLifetime);
                server.SetRefreshTokenLifetime(settings.RefreshTokenLifetime);
                if (settings.Issuer is not null)
                {
                    server.SetIssuer(settings.Issuer);
                }

                // Plain signed JWTs: every service validates them with JwtBearer and the published JWKS.
                server.DisableAccessTokenEncryption();
                // Keys come from the database (SigningKeyOptionsSetup); this picks the current one per token.
                server.AddEventHandler(SignWithCurrentKey.Descriptor);
                server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    // TLS ends at the deployment's reverse proxy; the AppHost and tests speak plain HTTP.
                    .DisableTransportSecurityRequirement();
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.AddAudiences(ReliefPrincipals.Resource);
                validation.UseAspNetCore();
            });

        // After UseLocalServer's own set-up, so the ring's keys replace the ones it copied (see the class).
        services.AddSingleton<SigningKeyOptionsSetup>();
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>>(sp => sp.GetRequiredService<SigningKeyOptionsSetup>());
        services.AddSingleton<IConfigureOptions<OpenIddictValidationOptions>>(sp => sp.GetRequiredService<SigningKeyOptionsSetup>());
        services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>, SigningKeyRingChangeTokenSource<OpenIddictServerOptions>>();
        services.AddSingleton<IOptionsChangeTokenSource<OpenIddictValidationOptions>, SigningKeyRingChangeTokenSource<OpenIddictValidationOptions>>();

        services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
            .AddSignInCookie(settings.SignInSessionLifetime);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(AuthorityPolicies.CityAdministrator, policy => policy.RequireAuthenticatedUser().RequireRole(ReliefRoles.CityAdministrator))
            .AddPolicy(AuthorityPolicies.Auditor, policy => policy.RequireAuthenticatedUser().RequireRole(ReliefRoles.Auditor));
    }

    public static WebApplication UseIdentityAuthority(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // The sign-in page is the only HTML: its own stylesheet and form, nothing else.
        app.UseSecurityHeaders("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'");
        app.UseStaticFiles();
        // Before authentication: OpenIddict handles the token request inside the authentication middleware.
        app.UseTokenRateLimiting();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static WebApplication MapIdentityEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints();

        app.MapOpenApiDocument();
        app.MapTokenEndpoint();
        app.MapAuthorizationEndpoints();
        app.MapRazorPages();
        app.MapAccountEndpoints();
        app.MapOfficeEndpoints();
        app.MapUserEndpoints();
        app.MapSigningKeyEndpoints();
        app.MapAuditEndpoints();
        return app;
    }
}

public static class AuthorityPolicies
{
    public const string CityAdministrator = "city_admin";
    public const string Auditor = "auditor";
}

/// <summary>Names this assembly for hosts and tests (the top-level Program has no namespace).</summary>
public sealed class IdentityApi;
