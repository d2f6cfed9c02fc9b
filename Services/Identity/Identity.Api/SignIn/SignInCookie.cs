using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Relief.Identity.SignIn;

/// <summary>
/// The authority's own session: the cookie its sign-in page sets, which the authorization endpoint reads to know who is
/// signing in to the portal. Only the authority reads it; the portal keeps a session of its own.
/// </summary>
public static class SignInCookie
{
    public const string Scheme = "relief-signin";
    public const string LoginPath = "/account/login";

    public static AuthenticationBuilder AddSignInCookie(this AuthenticationBuilder authentication, TimeSpan lifetime) =>
        authentication.AddCookie(Scheme, cookie =>
        {
            cookie.LoginPath = LoginPath;
            cookie.ReturnUrlParameter = "returnUrl";
            cookie.Cookie.Name = "relief.signin";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            // TLS ends at the deployment's reverse proxy: Secure whenever the request came over HTTPS.
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = lifetime;
            cookie.SlidingExpiration = false;
        });
}
