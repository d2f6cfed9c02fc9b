using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Relief.Portal.Sessions;

/// <summary>
/// Sessions kept in portaldb (<c>sessions</c>): the cookie carries only a random key, the tokens stay on the server,
/// encrypted at rest with the portal's data-protection keys. Sessions survive a restart of the portal, and a session
/// can be ended from the server (every session of a user at sign-out).
/// </summary>
public sealed class SessionStore(NpgsqlDataSource database, IDataProtectionProvider protection, TimeProvider clock) : ITicketStore
{
    private readonly IDataProtector protector = protection.CreateProtector("Relief.Portal.Sessions.v1");

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = Guid.CreateVersion7();
        await WriteAsync(key, ticket);
        // Expired sessions go as new ones arrive: the table stays as small as the day's staff.
        await database.CreateCommand("delete from sessions where expires_at < now()").ExecuteNonQueryAsync();
        return key.ToString();
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) =>
        Guid.TryParse(key, out var id) ? WriteAsync(id, ticket) : Task.CompletedTask;

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        if (!Guid.TryParse(key, out var id))
        {
            return null;
        }

        await using var connection = await database.OpenConnectionAsync();
        var sealedTicket = await connection.QuerySingleOrDefaultAsync<byte[]>(
            "select ticket from sessions where key = @id and expires_at > now()", new { id });
        if (sealedTicket is null)
        {
            return null;
        }

        try
        {
            return TicketSerializer.Default.Deserialize(protector.Unprotect(sealedTicket));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Sealed with a key the ring no longer has: the user signs in again.
            return null;
        }
    }

    public async Task RemoveAsync(string key)
    {
        if (Guid.TryParse(key, out var id))
        {
            await using var connection = await database.OpenConnectionAsync();
            await connection.ExecuteAsync("delete from sessions where key = @id", new { id });
        }
    }

    private async Task WriteAsync(Guid id, AuthenticationTicket ticket)
    {
        var expiresAt = ticket.Properties.ExpiresUtc ?? clock.GetUtcNow().AddHours(12);
        var userId = ticket.Principal.FindFirst("sub")?.Value ?? "";
        var sealedTicket = protector.Protect(TicketSerializer.Default.Serialize(ticket));
        await using var connection = await database.OpenConnectionAsync();
        await connection.ExecuteAsync(
            """
            insert into sessions (key, user_id, ticket, expires_at) values (@id, @userId, @sealedTicket, @expiresAt)
            on conflict (key) do update set ticket = excluded.ticket, expires_at = excluded.expires_at
            """,
            new { id, userId, sealedTicket, expiresAt });
    }

    /// <summary>Puts the store and the session re-check into the cookie handler.</summary>
    public sealed class Setup(SessionStore store, SessionRefresher refresher) : IPostConfigureOptions<CookieAuthenticationOptions>
    {
        public void PostConfigure(string? name, CookieAuthenticationOptions options)
        {
            if (name != PortalServices.CookieScheme)
            {
                return;
            }

            options.SessionStore = store;
            options.Events.OnValidatePrincipal = refresher.ValidateAsync;
        }
    }
}
