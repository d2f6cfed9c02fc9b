using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Relief.Identity.Audit;
using Relief.Identity.SignIn;
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
        const string wrongCredentials = "The user name or password is incorrect.";
        var (verdict, user) = await services.GetRequiredService<PasswordCheck>()
            .CheckAsync(http, request.Username, request.Password, request.ClientId, cancellationToken);
        var principal = verdict == PasswordVerdict.Accepted
            ? await services.GetRequiredService<ReliefPrincipals>().ForUserAsync(user!, request.GetScopes(), cancellationToken)
            : null;
        return verdict switch
        {
            PasswordVerdict.Accepted when principal is not null => SignIn(principal),
            PasswordVerdict.LockedOut => Reject(Errors.InvalidGrant, "The account is locked out; try again later."),
            // A disabled account is not told apart from a wrong password here: a token client is no place to say so.
            PasswordVerdict.WrongCredentials or PasswordVerdict.Disabled => Reject(Errors.InvalidGrant, wrongCredentials),
            _ => Reject(Errors.InvalidGrant, "The account has no role or office."),
        };
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
