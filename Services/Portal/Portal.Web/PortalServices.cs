using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Relief.Portal.Clients;
using Relief.Portal.Components;
using Relief.Portal.Sessions;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Http;

namespace Relief.Portal;

/// <summary>
/// The staff portal: Blazor components rendered on the server (static SSR — plain HTML forms, no script, no live
/// connection to keep up), signed in through the identity authority as a backend-for-frontend.
/// </summary>
public static class PortalServices
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string OidcScheme = OpenIdConnectDefaults.AuthenticationScheme;

    /// <summary>Who the user is, a refresh token for the shift, and the audience every Relief service accepts.</summary>
    private static readonly string[] Scopes = ["openid", "profile", "offline_access", "relief"];

    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder)
    {
        builder.AddBasicServiceDefaults();
        builder.AddReliefDatabase("portaldb", typeof(PortalServices).Assembly);
        builder.Services.AddOptions<PortalSettings>().BindConfiguration(PortalSettings.SectionName);
        var settings = builder.Configuration.GetSection(PortalSettings.SectionName).Get<PortalSettings>() ?? new PortalSettings();

        builder.Services.AddDataProtection().SetApplicationName("relief-portal");
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>, DataProtectionKeys.Setup>();
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddSingleton<SessionRefresher>();
        AddSignIn(builder.Services, settings);

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(PortalPolicies.CityAdministrator, policy => policy.RequireAuthenticatedUser().RequireRole(ReliefRoles.CityAdministrator))
            .AddPolicy(PortalPolicies.NetworkReaders, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.PointStaff, ReliefRoles.HotlineOperator, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator))
            .AddPolicy(PortalPolicies.NetworkEditors, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator))
            .AddPolicy(PortalPolicies.CaseRegistrars, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.PointStaff, ReliefRoles.HotlineOperator, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator))
            .AddPolicy(PortalPolicies.CaseReaders, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.PointStaff, ReliefRoles.HotlineOperator, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator))
            .AddPolicy(PortalPolicies.PersonReaders, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.PointStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator))
            .AddPolicy(PortalPolicies.PersonDeciders, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator))
            .AddPolicy(PortalPolicies.ReferralInbox, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator))
            .AddPolicy(PortalPolicies.ReferralReaders, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.PointStaff, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator))
            .AddPolicy(PortalPolicies.ExtensionDeciders, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator))
            .AddPolicy(PortalPolicies.DeskUsers, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.PointStaff, ReliefRoles.HotlineOperator, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator))
            .AddPolicy(PortalPolicies.NotificationManagers, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator))
            .AddPolicy(PortalPolicies.StatisticsReaders, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.PointStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator))
            .AddPolicy(PortalPolicies.FamilySearchStaff, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator, ReliefRoles.Auditor))
            .AddPolicy(PortalPolicies.MissingPersonReaders, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.PointStaff, ReliefRoles.HotlineOperator, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer,
                ReliefRoles.CityAdministrator, ReliefRoles.Auditor))
            .AddPolicy(PortalPolicies.MissingPersonRegistrars, policy => policy.RequireAuthenticatedUser().RequireRole(
                ReliefRoles.PointStaff, ReliefRoles.HotlineOperator, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer,
                ReliefRoles.CityAdministrator));
        builder.Services.AddCascadingAuthenticationState();

        builder.Services.AddLocalization();
        builder.Services.AddRazorComponents();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddTransient<AccessTokenHandler>();
        builder.Services.AddHttpClient<IdentityAdminClient>(http => http.BaseAddress = new Uri("http://identity"))
            .AddHttpMessageHandler<AccessTokenHandler>();
        builder.Services.AddHttpClient<RegistryClient>(http => http.BaseAddress = new Uri("http://registry"))
            .AddHttpMessageHandler<AccessTokenHandler>();
        builder.Services.AddHttpClient<IntakeClient>(http => http.BaseAddress = new Uri("http://intake"))
            .AddHttpMessageHandler<AccessTokenHandler>();
        builder.Services.AddHttpClient<ReferralClient>(http => http.BaseAddress = new Uri("http://referral"))
            .AddHttpMessageHandler<AccessTokenHandler>();
        builder.Services.AddHttpClient<NotificationClient>(http => http.BaseAddress = new Uri("http://notification"))
            .AddHttpMessageHandler<AccessTokenHandler>();
        builder.Services.AddHttpClient<ReportingClient>(http => http.BaseAddress = new Uri("http://reporting"))
            .AddHttpMessageHandler<AccessTokenHandler>();
        builder.Services.AddHttpClient<FamilySearchClient>(http => http.BaseAddress = new Uri("http://familysearch"))
            .AddHttpMessageHandler<AccessTokenHandler>();
        // The public notices (/xunqin): nobody is signed in, so no token — only the visitor's address, for the rate limit.
        builder.Services.AddTransient<VisitorAddressHandler>();
        builder.Services.AddHttpClient<PublicNoticesClient>(http => http.BaseAddress = new Uri("http://familysearch"))
            .AddHttpMessageHandler<VisitorAddressHandler>();
        // The live feed stays open for as long as the page does: no total timeout, no retry (the browser reconnects).
        // Removing the defaults' pipeline is the way the resilience package offers for a streaming client; it is marked
        // for evaluation, and the standard pipeline's 30 s total timeout would end every feed.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<DeskStreamClient>(http =>
            {
                http.BaseAddress = new Uri("http://notification");
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }

    private static void AddSignIn(IServiceCollection services, PortalSettings settings)
    {
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieScheme;
                options.DefaultChallengeScheme = OidcScheme;
            })
            .AddCookie(CookieScheme, cookie =>
            {
                cookie.Cookie.Name = "relief.portal";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = settings.SessionLifetime;
                cookie.SlidingExpiration = false;
                cookie.AccessDeniedPath = "/forbidden";
                // Set up with the session store (it needs the data-protection provider): SessionStore.Setup.
            })
            .AddOpenIdConnect(OidcScheme, oidc =>
            {
                oidc.Authority = settings.Authority?.ToString();
                oidc.ClientId = settings.ClientId;
                oidc.ClientSecret = settings.ClientSecret;
                oidc.RequireHttpsMetadata = settings.RequireHttpsMetadata;
                oidc.ResponseType = OpenIdConnectResponseType.Code;
                // The code comes back in the query (a top-level GET): the correlation cookies can then be SameSite=Lax
                // and work over plain HTTP inside an intranet, where SameSite=None (which needs Secure) would not.
                oidc.ResponseMode = OpenIdConnectResponseMode.Query;
                oidc.UsePkce = true;
                oidc.SaveTokens = true;
                oidc.MapInboundClaims = false;
                oidc.GetClaimsFromUserInfoEndpoint = false;
                oidc.Scope.Clear();
                foreach (var scope in Scopes)
                {
                    oidc.Scope.Add(scope);
                }

                oidc.TokenValidationParameters.NameClaimType = ReliefPortalClaims.Name;
                oidc.TokenValidationParameters.RoleClaimType = ReliefClaims.Role;
                oidc.CorrelationCookie.SameSite = SameSiteMode.Lax;
                oidc.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                oidc.NonceCookie.SameSite = SameSiteMode.Lax;
                oidc.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                oidc.Events.OnRemoteFailure = context =>
                {
                    // The user cancelled, or the authority refused (a closed office): back to a page that says so.
                    context.Response.Redirect("/signed-out?failed=1");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
            });
        services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>, SessionStore.Setup>();
    }

    public static WebApplication UsePortal(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<PortalSettings>>().Value;
        app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found");
        app.UsePortalSecurityHeaders(settings.Authority);
        app.UseRequestLocalization(Texts.LocalizationOptions());
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapHealthEndpoints();
        app.MapPortalEndpoints();
        app.MapRazorComponents<App>();
        return app;
    }

    /// <summary>
    /// Every page: a Content-Security-Policy that allows the portal's own files only — no inline script or style, no
    /// other origin — forms posted to the portal (and, through sign-out's redirect, the authority), no caching of pages
    /// that show personal data, so the back button after sign-out shows nothing.
    /// </summary>
    private static void UsePortalSecurityHeaders(this WebApplication app, Uri? authority)
    {
        var formAction = authority is null ? "'self'" : $"'self' {authority.GetLeftPart(UriPartial.Authority)}";
        var policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; " +
                     $"object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action {formAction}";
        app.UseSecurityHeaders(policy);
        // "no-cache" beside "no-store", as antiforgery wants for a page with a form (it warns on every page otherwise).
        app.Use(static (context, next) =>
        {
            context.Response.Headers.CacheControl = "no-cache, no-store";
            context.Response.Headers.Pragma = "no-cache";
            return next(context);
        });
    }
}

public static class PortalPolicies
{
    public const string CityAdministrator = "city_admin";
    /// <summary>Everyone who works a case: the network's map and the nearest-point finder.</summary>
    public const string NetworkReaders = "network_readers";
    /// <summary>County officers (their county) and the city: the service points' pages.</summary>
    public const string NetworkEditors = "network_editors";
    /// <summary>Who registers cases (问询登记): point staff, hotline operators, county officers, the city.</summary>
    public const string CaseRegistrars = "case_registrars";
    /// <summary>Who reads cases, each their own scope: the registrars and relief-station staff.</summary>
    public const string CaseReaders = "case_readers";
    /// <summary>Point staff (persons with a case at their point), county officers (their county) and the city.</summary>
    public const string PersonReaders = "person_readers";
    /// <summary>County officers and the city: confirm or reject duplicate candidates, split wrong links.</summary>
    public const string PersonDeciders = "person_deciders";
    /// <summary>Who works incoming referrals (转介收件箱): relief-station staff, county officers (their county), the city.</summary>
    public const string ReferralInbox = "referral_inbox";
    /// <summary>Who reads a referral, each their own scope: the inbox's users and the point staff who sent it.</summary>
    public const string ReferralReaders = "referral_readers";
    /// <summary>County officers and the city: approve or refuse stays beyond the care days (延期审批).</summary>
    public const string ExtensionDeciders = "extension_deciders";
    /// <summary>Everyone who works at an office with a duty desk (值班台): its live feed in the header, /notifications.</summary>
    public const string DeskUsers = "desk_users";
    /// <summary>County officers (their county's offices) and the city: channel subscriptions and the delivery log.</summary>
    public const string NotificationManagers = "notification_managers";
    /// <summary>Statistics and the monthly reports (统计报表), each their scope: point staff, county officers, the city.</summary>
    public const string StatisticsReaders = "statistics_readers";
    /// <summary>寻亲: notices and their 24-hour clocks, police requests — station staff, county officers, the city; auditors read.</summary>
    public const string FamilySearchStaff = "family_search_staff";
    /// <summary>寻人登记 and its candidates, each their scope: who registers them (points, the hotline) and the family-search staff.</summary>
    public const string MissingPersonReaders = "missing_person_readers";
    /// <summary>Who registers a family's missing-person report: points, the hotline, stations, county officers, the city.</summary>
    public const string MissingPersonRegistrars = "missing_person_registrars";
}

/// <summary>Claim names as the portal keeps them (the authority's, unmapped).</summary>
public static class ReliefPortalClaims
{
    public const string Name = "name";
}
