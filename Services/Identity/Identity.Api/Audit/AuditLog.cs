using System.Security.Claims;
using OpenIddict.Abstractions;
using Relief.Identity.Storage;

namespace Relief.Identity.Audit;

/// <summary>Appends to <c>audit_entries</c>. Details name what happened, never a password or a token.</summary>
public sealed class AuditLog(IdentityDb db, TimeProvider clock)
{
    public Task SignInAsync(HttpContext http, string actor, string? clientId, string outcome, string? detail, CancellationToken cancellationToken) =>
        AppendAsync(http, actor, AuditActions.SignIn, outcome, clientId, detail, cancellationToken);

    public Task AdministrationAsync(HttpContext http, string action, string detail, CancellationToken cancellationToken) =>
        AppendAsync(http, ActorOf(http.User), action, AuditOutcomes.Succeeded, http.User.FindFirstValue(OpenIddictConstants.Claims.ClientId), detail, cancellationToken);

    public async Task AppendAsync(
        HttpContext http, string actor, string action, string outcome, string? clientId, string? detail, CancellationToken cancellationToken)
    {
        db.AuditEntries.Add(new AuditEntry
        {
            OccurredAt = clock.GetUtcNow(),
            Actor = Truncate(actor, 256),
            Action = action,
            Outcome = outcome,
            ClientIp = http.Connection.RemoteIpAddress?.ToString(),
            ClientId = clientId is null ? null : Truncate(clientId, 100),
            Detail = detail is null ? null : Truncate(detail, 1000),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string ActorOf(ClaimsPrincipal user) =>
        user.FindFirstValue(OpenIddictConstants.Claims.Name) ?? user.FindFirstValue(OpenIddictConstants.Claims.Subject) ?? "unknown";

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
