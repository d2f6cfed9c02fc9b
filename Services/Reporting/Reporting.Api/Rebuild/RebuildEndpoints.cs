using Microsoft.AspNetCore.Http.HttpResults;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Reporting.Rebuild;

/// <summary>重建统计: the city empties the read model and replays the sources' history into it.</summary>
public static class RebuildEndpoints
{
    public static IEndpointRouteBuilder MapRebuildEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/statistics/rebuild", RebuildAsync).WithTags("Statistics")
            .RequireAuthorization(policy => policy.RequireRole(ReliefRoles.CityAdministrator));
        return app;
    }

    /// <summary>Answers when the rebuilt model is committed (the caller sees the new numbers straight after).</summary>
    public static async Task<Ok<RebuildResult>> RebuildAsync(ReadModelRebuild rebuild, CancellationToken cancellationToken) =>
        TypedResults.Ok(await rebuild.RunAsync(cancellationToken));
}
