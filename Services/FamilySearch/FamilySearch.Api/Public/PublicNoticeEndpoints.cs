using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Relief.FamilySearch.Photos;

namespace Relief.FamilySearch.Public;

/// <summary>
/// 寻亲公告 for everyone (the public page <c>/xunqin</c>, the national site, local media): no sign-in, a budget per
/// client address, published notices only. Answers are not cached (<c>Cache-Control: no-store</c>, as every answer of
/// the service): a notice withdrawn because the person went home must not linger in a browser or a proxy.
/// </summary>
public static class PublicNoticeEndpoints
{
    public static WebApplicationBuilder AddPublicNoticeServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PublicNoticeOptions>().BindConfiguration(PublicNoticeOptions.SectionName);
        builder.Services.AddScoped<PublicNoticeQuery>();
        builder.Services.Configure<RateLimiterOptions>(limiter =>
            limiter.AddPolicy<string, PublicRateLimitPolicy>(PublicRateLimitPolicy.Name));
        return builder;
    }

    public static IEndpointRouteBuilder MapPublicNoticeEndpoints(this IEndpointRouteBuilder app)
    {
        var notices = app.MapGroup("/api/public/notices").WithTags("Public notices")
            .AllowAnonymous()
            .RequireRateLimiting(PublicRateLimitPolicy.Name);
        notices.MapGet("/", ListAsync);
        notices.MapGet("/{id:guid}", GetAsync);
        notices.MapGet("/{id:guid}/photo", PhotoAsync);
        return app;
    }

    public static async Task<Results<Ok<PublicNoticePage>, ValidationProblem>> ListAsync(
        HttpRequest request, PublicNoticeQuery notices, IOptions<PublicNoticeOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = PublicNoticeFilter.Read(request.Query, options.Value, errors);
        return filter is null
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(await notices.PageAsync(filter, cancellationToken));
    }

    public static async Task<Results<Ok<PublicNotice>, NotFound>> GetAsync(Guid id, PublicNoticeQuery notices, CancellationToken cancellationToken) =>
        await notices.FindAsync(id, cancellationToken) is { } notice ? TypedResults.Ok(notice) : TypedResults.NotFound();

    public static async Task<Results<FileContentHttpResult, NotFound>> PhotoAsync(Guid id, PublicNoticeQuery notices, CancellationToken cancellationToken) =>
        await notices.PhotoAsync(id, cancellationToken) is { } jpeg ? TypedResults.File(jpeg, "image/jpeg") : TypedResults.NotFound();
}
