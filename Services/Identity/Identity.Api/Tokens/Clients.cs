using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Relief.Identity.Tokens;

/// <summary>The OpenIddict applications the authority knows, written at start-up.</summary>
public static class Clients
{
    /// <summary>The web portal and tools: a public client (no secret).</summary>
    public const string Portal = "relief-portal";

    public static async Task SeedAsync(IOpenIddictApplicationManager applications, IdentitySettings settings, CancellationToken cancellationToken)
    {
        // Tools and tests: password and refresh grants, no browser.
        await UpsertAsync(applications, new OpenIddictApplicationDescriptor
        {
            ClientId = Portal,
            ClientType = ClientTypes.Public,
            DisplayName = "Relief tools",
            Permissions =
            {
                Permissions.Endpoints.Token,
                Permissions.GrantTypes.Password,
                Permissions.GrantTypes.RefreshToken,
                Permissions.Prefixes.Scope + ReliefPrincipals.Scope,
            },
        }, cancellationToken);

        if (settings.WebPortal.ClientSecret is { Length: > 0 } portalSecret)
        {
            // The staff portal, a backend-for-frontend: the browser only ever sees the authority's sign-in page and the
            // portal's session cookie; the code, the tokens and this secret stay between the two servers.
            var portal = new OpenIddictApplicationDescriptor
            {
                ClientId = settings.WebPortal.ClientId,
                ClientSecret = portalSecret,
                ClientType = ClientTypes.Confidential,
                ConsentType = ConsentTypes.Implicit,
                DisplayName = "Relief portal",
                Permissions =
                {
                    Permissions.Endpoints.Authorization,
                    Permissions.Endpoints.Token,
                    Permissions.Endpoints.EndSession,
                    Permissions.Endpoints.Revocation,
                    Permissions.GrantTypes.AuthorizationCode,
                    Permissions.GrantTypes.RefreshToken,
                    Permissions.ResponseTypes.Code,
                    Permissions.Scopes.Profile,
                    Permissions.Prefixes.Scope + ReliefPrincipals.Scope,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            };
            portal.RedirectUris.UnionWith(settings.WebPortal.RedirectUris);
            portal.PostLogoutRedirectUris.UnionWith(settings.WebPortal.PostLogoutRedirectUris);
            await UpsertAsync(applications, portal, cancellationToken);
        }

        foreach (var (clientId, secret) in settings.ServiceClients)
        {
            await UpsertAsync(applications, new OpenIddictApplicationDescriptor
            {
                ClientId = clientId,
                ClientSecret = secret,
                ClientType = ClientTypes.Confidential,
                DisplayName = clientId,
                Permissions =
                {
                    Permissions.Endpoints.Token,
                    Permissions.GrantTypes.ClientCredentials,
                    Permissions.Prefixes.Scope + ReliefPrincipals.Scope,
                },
            }, cancellationToken);
        }
    }

    private static async Task UpsertAsync(IOpenIddictApplicationManager applications, OpenIddictApplicationDescriptor descriptor, CancellationToken cancellationToken)
    {
        var existing = await applications.FindByClientIdAsync(descriptor.ClientId!, cancellationToken);
        if (existing is null)
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
        else
        {
            // Configuration wins: a changed secret or permission takes effect at the next start.
            await applications.UpdateAsync(existing, descriptor, cancellationToken);
        }
    }
}
