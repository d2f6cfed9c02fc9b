using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Relief.Identity.Audit;
using Relief.Identity.Tokens;
using Relief.Identity.Users;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Relief.Identity.SignIn;

/// <summary>
/// The browser side of OpenID Connect for the portal: <c>/connect/authorize</c> (authorization code with PKCE; the user
/// signs in on the authority's own page) and <c>/connect/endsession</c> (sign-out ends the authority's session too).
/// </summary>
public static class AuthorizationEndpoints
{
    public const string AuthorizePath = "/connect/authorize";
    public const string EndSessionPath = "/connect/endsession";
    public const string RevocationPath = "/connect/revoke";

    public static IEndpointRouteBuilder MapAuthorizationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods(AuthorizePath, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods(EndSessionPath, [HttpMethods.Get, HttpMethods.Post], EndSessionAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> AuthorizeAsync(
        HttpContext http, UserManager<StaffUser> users, SignInManager<StaffUser> signIn, ReliefPrincipals principals,
        CancellationToken cancellationToken)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request cannot be retrieved.");

        var session = await http.AuthenticateAsync(SignInCookie.Scheme);
        var user = session.Succeeded && session.Principal.FindFirst(Claims.Subject)?.Value is { } subject
            ? await users.FindByIdAsync(subject)
            : null;

        // Someone who was disabled or locked out since signing in here signs in again (and is told why there).
        if (user is not null && (user.DisabledAt is not null || !await signIn.CanSignInAsync(user) || await users.IsLockedOutAsync(user)))
        {
            await http.SignOutAsync(SignInCookie.Scheme);
            user = null;
        }

        if (user is null || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return TokenEndpoint.Reject(Errors.LoginRequired, "The user is not signed in.");
            }

            // Back here after the sign-in page, without prompt=login (or it would loop).
            var parameters = http.Request.HasFormContentType ? http.Request.Form.ToList() : http.Request.Query.ToList();
            parameters.RemoveAll(parameter => parameter.Key == Parameters.Prompt);
            return Results.Challenge(
                new AuthenticationProperties { RedirectUri = http.Request.PathBase + http.Request.Path + QueryString.Create(parameters) },
                [SignInCookie.Scheme]);
        }

        var principal = await principals.ForUserAsync(user, request.GetScopes(), cancellationToken);
        if (principal is null)
        {
            await http.SignOutAsync(SignInCookie.Scheme);
            return TokenEndpoint.Reject(Errors.AccessDenied, "The account has no role or its office is closed.");
        }

        return Results.SignIn(principal, properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// Ends the authority's session and sends the browser back to the portal (OpenIddict checks the address against the
    /// client's registered post-logout addresses).
    /// </summary>
    private static async Task<IResult> EndSessionAsync(HttpContext http, AuditLog audit, CancellationToken cancellationToken)
    {
        var session = await http.AuthenticateAsync(SignInCookie.Scheme);
        await http.SignOutAsync(SignInCookie.Scheme);
        if (session.Succeeded)
        {
            await audit.AppendAsync(http, session.Principal.FindFirst(Claims.Name)?.Value ?? "unknown", AuditActions.SignOut,
                AuditOutcomes.Succeeded, http.GetOpenIddictServerRequest()?.ClientId, null, cancellationToken);
        }

        return Results.SignOut(new AuthenticationProperties { RedirectUri = SignInCookie.LoginPath },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }
}
