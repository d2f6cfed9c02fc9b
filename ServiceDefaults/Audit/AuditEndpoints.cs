using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Http;

namespace Relief.ServiceDefaults.Audit;

public static class AuditEndpoints
{
    /// <summary><c>GET /api/audit</c>: the service's audit log, for auditors only, newest first.</summary>
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", ReadAuditLog)
            .RequireAuthorization(policy => policy.RequireRole(ReliefRoles.Auditor))
            .WithTags("Audit");
        return app;
    }

    private const string SelectEntries = """
        select id, occurred_at, actor, actor_role, actor_office, action, outcome, subject, purpose, trace_id
        from audit_log
        where (@From::timestamptz is null or occurred_at >= @From)
          and (@To::timestamptz is null or occurred_at < @To)
          and (@Action::text is null or action = @Action)
          and (@Actor::text is null or actor = @Actor)
        order by id desc
        limit @Limit
        """;

    public static async Task<Results<Ok<IReadOnlyList<AuditRecord>>, ValidationProblem>> ReadAuditLog(
        NpgsqlDataSource db, Timestamp? from, Timestamp? to, string? action, string? actor, int? limit,
        CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["limit"] = ["The limit is between 1 and 1000."],
            });
        }

        if (from is { } start && to is { } end && start.Utc > end.Utc)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["from"] = ["'from' must not be after 'to'."],
            });
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var entries = await connection.QueryAsync<AuditRecord>(new CommandDefinition(SelectEntries,
            new { From = from?.Utc, To = to?.Utc, Action = action, Actor = actor, Limit = limit ?? 200 }, cancellationToken: cancellationToken));
        return TypedResults.Ok<IReadOnlyList<AuditRecord>>(entries.AsList());
    }
}

public sealed record AuditRecord(long Id, DateTime OccurredAt, string Actor, string ActorRole, string ActorOffice,
    string Action, string Outcome, string? Subject, string? Purpose, string? TraceId);
