using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Relief.Identity.Storage;
using Relief.ServiceDefaults.Http;

namespace Relief.Identity.Audit;

public static class AuditEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", ListAsync).RequireAuthorization(AuthorityPolicies.Auditor);
        return app;
    }

    public sealed record AuditEntryView(
        long Id, DateTimeOffset OccurredAt, string Actor, string Action, string Outcome, string? ClientIp, string? ClientId, string? Detail);

    /// <summary>Recent entries, newest first; <paramref name="from"/> inclusive, <paramref name="to"/> exclusive.</summary>
    private static async Task<Results<Ok<List<AuditEntryView>>, ValidationProblem>> ListAsync(
        IdentityDb db, Timestamp? from, Timestamp? to, string? action, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["limit"] = [$"The limit must be between 1 and {MaxLimit}."],
            });
        }

        if (from is not null && to is not null && from.Value.Utc > to.Value.Utc)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["from"] = ["'from' must not be after 'to'."],
            });
        }

        var entries = db.AuditEntries.AsNoTracking();
        if (from is not null)
        {
            entries = entries.Where(e => e.OccurredAt >= from.Value.Utc);
        }

        if (to is not null)
        {
            entries = entries.Where(e => e.OccurredAt < to.Value.Utc);
        }

        if (!string.IsNullOrEmpty(action))
        {
            entries = entries.Where(e => e.Action == action);
        }

        var result = await entries
            .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Take(limit ?? DefaultLimit)
            .Select(e => new AuditEntryView(e.Id, e.OccurredAt, e.Actor, e.Action, e.Outcome, e.ClientIp, e.ClientId, e.Detail))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(result);
    }
}
