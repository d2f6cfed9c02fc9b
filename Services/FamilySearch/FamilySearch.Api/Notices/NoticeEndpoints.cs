using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Http;

namespace Relief.FamilySearch.Notices;

public static class NoticeEndpoints
{
    public static IEndpointRouteBuilder MapNoticeEndpoints(this IEndpointRouteBuilder app)
    {
        var notices = app.MapGroup("/api/family-search/notices").WithTags("Notices");
        notices.MapGet("/", NoticeReading.ListAsync).RequireAuthorization(policy => policy.RequireRole(NoticeScope.Readers));
        notices.MapGet("/{id:guid}", NoticeReading.GetAsync).RequireAuthorization(policy => policy.RequireRole(NoticeScope.Readers));

        notices.MapPut("/{id:guid}", (Guid id, UpdateNoticeRequest request, HttpContext http, NoticeActions actions, CancellationToken cancellationToken) =>
                actions.UpdateAsync(id, request, ReliefUser.From(http.User), cancellationToken))
            .Validate<UpdateNoticeRequest>().RequireAuthorization(policy => policy.RequireRole(NoticeScope.Workers));
        notices.MapPost("/{id:guid}/submit", (Guid id, NoticeVersionRequest request, HttpContext http, NoticeActions actions, CancellationToken cancellationToken) =>
                actions.SubmitAsync(id, request.Version!.Value, ReliefUser.From(http.User), cancellationToken))
            .Validate<NoticeVersionRequest>().RequireAuthorization(policy => policy.RequireRole(NoticeScope.Workers));
        notices.MapPost("/{id:guid}/approve", (Guid id, NoticeVersionRequest request, HttpContext http, NoticeActions actions, CancellationToken cancellationToken) =>
                actions.ApproveAsync(id, request.Version!.Value, ReliefUser.From(http.User), cancellationToken))
            .Validate<NoticeVersionRequest>().RequireAuthorization(policy => policy.RequireRole(NoticeScope.Workers));
        notices.MapPost("/{id:guid}/return", (Guid id, ReturnNoticeRequest request, HttpContext http, NoticeActions actions, CancellationToken cancellationToken) =>
                actions.ReturnAsync(id, request, ReliefUser.From(http.User), cancellationToken))
            .Validate<ReturnNoticeRequest>().RequireAuthorization(policy => policy.RequireRole(NoticeScope.Workers));
        notices.MapPost("/{id:guid}/withdraw", (Guid id, WithdrawNoticeRequest request, HttpContext http, NoticeActions actions, CancellationToken cancellationToken) =>
                actions.WithdrawAsync(id, request, ReliefUser.From(http.User), cancellationToken))
            .Validate<WithdrawNoticeRequest>().RequireAuthorization(policy => policy.RequireRole(NoticeScope.Workers));
        return app;
    }
}
