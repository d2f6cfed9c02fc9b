using System.Collections.Immutable;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using Relief.Identity.Storage;
using Relief.Identity.Users;
using Relief.ServiceDefaults.Authentication;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Relief.Identity.Tokens;

/// <summary>Builds the identity a token is issued for: a member of staff, or a service (client credentials).</summary>
public sealed class ReliefPrincipals(UserManager<StaffUser> users, IdentityDb db)
{
    /// <summary>The resource (audience) every Relief service accepts, and the scope that asks for it.</summary>
    public const string Resource = "relief";
    public const string Scope = "relief";

    /// <summary>The user's current office, county and role; null when the user has no role or open office any more.</summary>
    public async Task<ClaimsPrincipal?> ForUserAsync(StaffUser user, ImmutableArray<string> scopes, CancellationToken cancellationToken)
    {
        var role = (await users.GetRolesAsync(user)).FirstOrDefault();
        var office = await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Code == user.OfficeCode, cancellationToken);
        if (role is null || office is null || office.DeactivatedAt is not null)
        {
            return null;
        }

        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id)
            .SetClaim(Claims.Name, user.UserName)
            .SetClaim(Claims.Role, role)
            .SetClaim(ReliefClaims.Office, office.Code)
            .SetClaim(ReliefClaims.OfficeKind, office.Kind)
            .SetClaim(ReliefClaims.County, office.CountyCode);
        return Finish(identity, scopes);
    }

    /// <summary>A service calling another: the subject is its client id; it has no role, office or county.</summary>
    public static ClaimsPrincipal ForService(string clientId, string? displayName, ImmutableArray<string> scopes)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, clientId).SetClaim(Claims.Name, displayName ?? clientId);
        return Finish(identity, scopes);
    }

    private static ClaimsPrincipal Finish(ClaimsIdentity identity, ImmutableArray<string> scopes)
    {
        identity.SetScopes(scopes);
        identity.SetResources(Resource);
        // Every claim goes into the access token (the services authorise on it); the identity token, when
        // "openid" was asked for, carries who the user is and their role for the portal's display.
        identity.SetDestinations(static claim => claim.Type switch
        {
            Claims.Subject or Claims.Name or Claims.Role or ReliefClaims.Office or ReliefClaims.OfficeKind or ReliefClaims.County =>
                [Destinations.AccessToken, Destinations.IdentityToken],
            _ => [Destinations.AccessToken],
        });
        return new ClaimsPrincipal(identity);
    }
}
