using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Relief.ServiceDefaults.Audit;

/// <summary>Writes every refused authorization (403) of a signed-in user to the audit log.</summary>
public sealed class RefusalAuditing(AuditLog audit) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler standard = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated == true)
        {
            await audit.RecordAsync(Authentication.ReliefUser.From(context.User),
                new AuditEntry($"{context.Request.Method} {context.Request.Path}", AuditEntry.Refused), context.RequestAborted);
        }

        await standard.HandleAsync(next, context, policy, authorizeResult);
    }
}
