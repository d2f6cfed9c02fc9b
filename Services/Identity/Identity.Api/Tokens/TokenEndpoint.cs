using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Relief.Identity.Audit;
using Relief.Identity.Users;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Relief.Identity.Tokens;

/// <summary>
/// <c>POST /connect/token</c>. OpenIddict has already checked the client, grant type and scopes; this decides
/// who the token is for: the password grant (tests and tools; the portal will use authorization code + PKCE),
/// refresh tokens, and client credentials for services.
/// </summary>
public static class TokenEndpoint
{
    public const string Path = "/connect/token";

    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, ExchangeAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ExchangeAsync(HttpContext http, IServiceProvider services, CancellationToken cancellationToken)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request cannot be retrieved.");

        if (request.IsPasswordGrantType())
        {
            return await PasswordAsync(http, request, services, cancellationToken);
        }

        if (request.IsRefreshTokenGrantType() || request.IsAuthorizationCodeGrantType())
        {
            return await RefreshAsync(http, request, services, cancellationToken);
        }

        if (request.IsClientCredentialsGrantType())
        {
            // OpenIddict validated the client secret; the token speaks for the client itself.
            var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
            var application = await applications.FindByClientIdAsync(request.ClientId!, cancellationToken)
                ?? throw new InvalidOperationException("The client cannot be found.");
            var displayName = await applications.GetDisplayNameAsync(application, cancellationToken);
            return SignIn(ReliefPrincipals.ForService(request.ClientId!, displayName, request.GetScopes()));
        }

        return Reject(Errors.UnsupportedGrantType, "The grant type is not supported.");
    }

    private static async Task<IResult> PasswordAsync(
        HttpContext http, OpenIddictRequest request, IServiceProvider services, CancellationToken cancellationToken)
    {
        var users = services.GetRequiredService<UserManager<StaffUser>>();
        var signIn = services.GetRequiredService<SignInManager<StaffUser>>();
        var audit = services.GetRequiredService<AuditLog>();
        var userName = request.Username ?? "";
        const string wrongCredentials = "The user name or password is incorrect.";

        var user = string.IsNullOrEmpty(userName) ? null : await users.FindByNameAsync(userName);
        if (user is null || user.DisabledAt is not null)
        {
            await audit.SignInAsync(http, userName, request.ClientId, AuditOutcomes.Failed,
                user is null ? "unknown user" : $"user {user.Id} is disabled", cancellationToken);
            return Reject(Errors.InvalidGrant, wrongCredentials);
        }

        // Counts the failure and locks the account after Identity:Lockout:MaxFailedAttempts of them.
        var result = await signIn.CheckPasswordSignInAsync(user, request.Password ?? "", lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            await audit.SignInAsync(http, userName, request.ClientId, AuditOutcomes.LockedOut, $"user {user.Id} is locked out", cancellationToken);
            return Reject(Errors.InvalidGrant, "The account is locked out; try again later.");
        }

        if (!result.Succeeded)
        {
            await audit.SignInAsync(http, userName, request.ClientId, AuditOutcomes.Failed,
                result.IsNotAllowed ? $"user {user.Id} is not allowed to sign in" : $"user {user.Id}: wrong password", cancellationToken);
            return Reject(Errors.InvalidGrant, wrongCredentials);
        }

        var principal = await services.GetRequiredService<ReliefPrincipals>().ForUserAsync(user, request.GetScopes(), cancellationToken);
        if (principal is null)
        {
            await audit.SignInAsync(http, userName, request.ClientId, AuditOutcomes.Failed, $"user {user.Id} has no role or office", cancellationToken);
            return Reject(Errors.InvalidGrant, "The account has no role or office.");
        }

        await audit.SignInAsync(http, userName, request.ClientId, AuditOutcomes.Succeeded, $"user {user.Id}", cancellationToken);
        return SignIn(principal);
    }

    /// <summary>
    /// A refresh, or the portal redeeming its authorization code. Re-reads the user: a disabled, locked-out or deleted
    /// user gets no new token, a changed role or office shows at once.
    /// </summary>
    private static async Task<IResult> RefreshAsync(
        HttpContext http, OpenIddictRequest request, IServiceProvider services, CancellationToken cancellationToken)
    {
        var previous = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var users = services.GetRequiredService<UserManager<StaffUser>>();
        var user = previous?.GetClaim(Claims.Subject) is { } subject ? await users.FindByIdAsync(subject) : null;
        var audit = services.GetRequiredService<AuditLog>();
        if (user is null || user.DisabledAt is not null
            || !await services.GetRequiredService<SignInManager<StaffUser>>().CanSignInAsync(user) || await users.IsLockedOutAsync(user))
        {
            await audit.AppendAsync(http, user?.UserName ?? "unknown", AuditActions.Refresh, AuditOutcomes.Failed, request.ClientId,
                user is null ? "unknown user" : $"user {user.Id} may not sign in", cancellationToken);
            return Reject(Errors.InvalidGrant, "The refresh token is no longer valid.");
        }

        var principal = await services.GetRequiredService<ReliefPrincipals>().ForUserAsync(user, previous!.GetScopes(), cancellationToken);
        return principal is null
            ? Reject(Errors.InvalidGrant, "The account has no role or office.")
            : SignIn(principal);
    }

    private static IResult SignIn(ClaimsPrincipal principal) =>
        Results.SignIn(principal, properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);

    /// <summary>An OpenID Connect error answer (the token and authorization endpoints alike).</summary>
    internal static IResult Reject(string error, string description) =>
        Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
