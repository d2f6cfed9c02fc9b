using Microsoft.AspNetCore.Http.HttpResults;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Http;

namespace Relief.Referral.Referrals;

public static class ReferralEndpoints
{
    /// <summary>Who may read referrals (each only those of their scope).</summary>
    public static readonly string[] Readers =
        [ReliefRoles.PointStaff, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    /// <summary>Who works from an inbox: the stations, and the county and city watching over them.</summary>
    public static readonly string[] InboxReaders = [ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    /// <summary>Who may send a case to its station again: the point that sent it, its county, the city.</summary>
    public static readonly string[] ReReferrers = [ReliefRoles.PointStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    public static IEndpointRouteBuilder MapReferralEndpoints(this IEndpointRouteBuilder app)
    {
        var referrals = app.MapGroup("/api/referrals").WithTags("Referrals");
        referrals.MapGet("/inbox", ReferralReading.Inbox).RequireAuthorization(policy => policy.RequireRole(InboxReaders));
        referrals.MapGet("/{id:guid}", ReferralReading.GetReferral).RequireAuthorization(policy => policy.RequireRole(Readers));
        referrals.MapGet("/", ReferralReading.FindReferralsByCase).RequireAuthorization(policy => policy.RequireRole(Readers));

        // One endpoint per action, each open to the roles the lifecycle names (a wrong role is 403 before anything is read).
        MapAction<AcceptReferralRequest>(referrals, "accept", r => new ReferralChange("accept", r.Comment));
        MapAction<RejectReferralRequest>(referrals, "reject", r => new ReferralChange("reject", r.Comment) { RejectReason = r.Reason });
        MapAction<StartReferralRequest>(referrals, "start", r => new ReferralChange("start", r.Comment));
        MapAction<CompleteReferralRequest>(referrals, "complete", r => new ReferralChange("complete", r.Comment)
        {
            Outcome = r.Outcome,
            OutcomeDetail = new { r.CollectorIdChecked, r.SignedStatement, r.Comment },
        });
        MapAction<CancelReferralRequest>(referrals, "cancel", r => new ReferralChange("cancel", r.Comment!.Trim()));
        MapAction<TransferReferralRequest>(referrals, "transfer", r => new ReferralChange("transfer", r.Comment) { ToCounty = r.ToCounty });
        MapAction<ReopenReferralRequest>(referrals, "reopen", r => new ReferralChange("reopen", r.Comment!.Trim()));

        app.MapPost("/api/cases/{caseId:guid}/referrals", ReReferral.ReferAgainAsync).WithTags("Referrals").Validate<ReReferralRequest>()
            .RequireAuthorization(policy => policy.RequireRole(ReReferrers));
        return app;
    }

    private static void MapAction<TRequest>(RouteGroupBuilder referrals, string action, Func<TRequest, ReferralChange> change)
        where TRequest : IReferralActionRequest =>
        referrals.MapPost($"/{{id:guid}}/{action}",
                (Guid id, TRequest request, HttpContext http, ReferralActions actions, CancellationToken cancellationToken) =>
                    actions.ApplyAsync(id, request.Version!.Value, change(request), ReliefUser.From(http.User), cancellationToken))
            .Validate<TRequest>()
            .RequireAuthorization(policy => policy.RequireRole(ReferralLifecycle.Actors[action]))
            .WithName($"{action}Referral");
}
