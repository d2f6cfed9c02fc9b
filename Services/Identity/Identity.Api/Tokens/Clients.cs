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
        // Password and refresh grants now. The portal's authorization code + PKCE flow needs a sign-in page,
        // which the authority does not have yet: its permissions are added with that page.
        await UpsertAsync(applications, new OpenIddictApplicationDescriptor
        {
            ClientId = Portal,
            ClientType = ClientTypes.Public,
            DisplayName = "Relief portal",
            Permissions =
            {
                Permissions.Endpoints.Token,
                Permissions.GrantTypes.Password,
                Permissions.GrantTypes.RefreshToken,
                Permissions.Prefixes.Scope + ReliefPrincipals.Scope,
            },
        }, cancellationToken);

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
