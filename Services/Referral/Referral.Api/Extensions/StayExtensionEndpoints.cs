using Relief.Referral.Contracts;
using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.Referral.Deadlines;
using Relief.Referral.Referrals;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Http;

namespace Relief.Referral.Extensions;

/// <summary>
/// 延长救助期限: a stay beyond the care days needs the county's approval. The station asks (days and why); a county officer
/// of the station's county, or the city, approves — the care days and their deadline move — or refuses with a comment.
/// </summary>
public static class StayExtensionEndpoints
{
    public static readonly string[] Requesters = [ReliefRoles.StationStaff, ReliefRoles.CityAdministrator];
    public static readonly string[] Deciders = [ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    public static IEndpointRouteBuilder MapStayExtensionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/referrals/{id:guid}/extensions", RequestAsync).WithTags("Stay extensions").Validate<StayExtensionRequest>()
            .RequireAuthorization(policy => policy.RequireRole(Requesters));
        var extensions = app.MapGroup("/api/extensions").WithTags("Stay extensions")
            .RequireAuthorization(policy => policy.RequireRole(Deciders));
        extensions.MapGet("/", StayExtensionReading.ListAsync);
        extensions.MapPost("/{id:guid}/approve", ApproveAsync).Validate<ExtensionDecisionRequest>();
        extensions.MapPost("/{id:guid}/refuse", RefuseAsync).Validate<RefusalRequest>();
        return app;
    }

    private static readonly string[] InCare = [ReferralStatus.Accepted, ReferralStatus.InProgress];

    // Only while the person is in the station's care: a referral closed meanwhile has no stay to extend.
    private const string InsertRequest = """
        insert into stay_extensions (id, referral_id, days, reason, requested_at, requested_by, requested_by_name, requested_by_office)
        select @Id, r.id, @Days, @Reason, @Now, @By, @ByName, @ByOffice from referrals r where r.id = @ReferralId and r.status = any(@InCare)
        """;

    // A note at the referral's present version: asking changes nothing of the referral yet.
    private const string NoteHistory = """
        insert into referral_history (referral_id, version, at, by, by_name, by_office, action, from_status, to_status, detail)
        select r.id, r.version, @Now, @By, @ByName, @ByOffice, @Action, r.status, r.status,
               jsonb_build_object('extensionId', @Id::uuid, 'days', @Days::int, 'careUntil', r.care_until, 'comment', @Comment::text)
        from referrals r where r.id = @ReferralId
        """;

    private const string Decide = """
        update stay_extensions set status = @Status, decided_at = @Now, decided_by = @By, decided_by_name = @ByName,
                                   decided_by_office = @ByOffice, decision_comment = @Comment
        where id = @Id and status = 'pending'
        """;

    // The stay is allowed now: no longer overdue; its deadline is armed again at the new end (ReferralDeadlines).
    private const string ExtendCare = """
        update referrals set care_until = care_until + make_interval(days => @Days), overdue_level = 0, updated_at = @Now
        where id = @ReferralId and status = any(@InCare) and care_until is not null
        """;

    private const string OnePendingPerReferral = "stay_extensions_one_pending";

    public static async Task<Results<Created<StayExtension>, NotFound, ProblemHttpResult, ValidationProblem>> RequestAsync(
        Guid id, StayExtensionRequest request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var referral = await ReferralReading.CurrentAsync(connection, user, id, cancellationToken);
        if (referral is null)
        {
            return TypedResults.NotFound();
        }

        var extensionId = Guid.CreateVersion7();
        var values = new
        {
            Id = extensionId, ReferralId = id, request.Days, request.Reason, Now = clock.GetUtcNow(), By = user.Subject,
            ByName = user.DisplayName, ByOffice = user.OfficeOrNull, InCare,
            Action = "extension_requested", Comment = request.Reason,
        };
        var unit = units.Begin();
        unit.WriteOne(InsertRequest, values);
        unit.Write(NoteHistory, values);
        try
        {
            await unit.CommitAsync(CancellationToken.None);
        }
        catch (StaleVersionException)
        {
            return NotInCare(await ReferralReading.CurrentAsync(connection, user, id, cancellationToken) ?? referral, user);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == OnePendingPerReferral)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "已有一项延期申请等待审批 / an extension of this stay is already waiting for a decision");
        }

        var extension = (await StayExtensionReading.OfReferralAsync(connection, id, cancellationToken)).Single(e => e.Id == extensionId);
        return TypedResults.Created($"/api/extensions/{extensionId}", extension);
    }

    public static Task<Results<Ok<StayExtension>, NotFound, ProblemHttpResult>> ApproveAsync(
        Guid id, ExtensionDecisionRequest request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units, TimeProvider clock,
        CancellationToken cancellationToken) =>
        DecideAsync(id, approve: true, request.Comment, http, db, units, clock, cancellationToken);

    public static Task<Results<Ok<StayExtension>, NotFound, ProblemHttpResult>> RefuseAsync(
        Guid id, RefusalRequest request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units, TimeProvider clock,
        CancellationToken cancellationToken) =>
        DecideAsync(id, approve: false, request.Comment, http, db, units, clock, cancellationToken);

    private static async Task<Results<Ok<StayExtension>, NotFound, ProblemHttpResult>> DecideAsync(
        Guid id, bool approve, string? comment, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var extension = await StayExtensionReading.FindAsync(connection, user, id, cancellationToken);
        if (extension is null)
        {
            return TypedResults.NotFound();
        }

        if (extension.Status != "pending")
        {
            return AlreadyDecided(extension);
        }

        var values = new
        {
            extension.Id, extension.ReferralId, extension.Days, Now = clock.GetUtcNow(), By = user.Subject,
            ByName = user.DisplayName, ByOffice = user.OfficeOrNull, Comment = comment, InCare,
            Status = approve ? "approved" : "refused", Action = approve ? "extension_approved" : "extension_refused",
        };
        var unit = units.Begin();
        unit.WriteOne(Decide, values);
        if (approve)
        {
            unit.WriteOne(ExtendCare, values);
            ReferralDeadlines.Cancel(unit, extension.ReferralId, values.Now, ReferralDeadlines.CareDays);
            ReferralDeadlines.ArmCareDays(unit, extension.ReferralId);
        }

        unit.Write(NoteHistory, values);
        try
        {
            await unit.CommitAsync(CancellationToken.None);
        }
        catch (StaleVersionException)
        {
            var now = await StayExtensionReading.FindAsync(connection, user, id, cancellationToken) ?? extension;
            return now.Status != "pending" ? AlreadyDecided(now) : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "转介已不在站内照料中，无需延期 / the referral is no longer in the station's care: there is no stay to extend");
        }

        return TypedResults.Ok((await StayExtensionReading.FindAsync(connection, user, id, cancellationToken))!);
    }

    private static ProblemHttpResult AlreadyDecided(StayExtension extension) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, title: "该延期申请已审批 / the extension has already been decided",
        extensions: new Dictionary<string, object?> { ["extensionStatus"] = extension.Status });

    private static ProblemHttpResult NotInCare(ReferralRow referral, ReliefUser user) => ReferralActions.Conflict(referral, user,
        "只有站内照料中的转介可以申请延期 / only a referral in the station's care (accepted or in progress) can have its stay extended");
}

/// <summary>How many more days of care, and why.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record StayExtensionRequest(int? Days, string? Reason);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ExtensionDecisionRequest(string? Comment = null);

/// <summary>A refusal says why: the station must find another way (placement, escort home).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RefusalRequest(string? Comment);

public sealed class StayExtensionRequestValidator : AbstractValidator<StayExtensionRequest>
{
    public StayExtensionRequestValidator()
    {
        RuleFor(r => r.Days).NotNull().WithMessage("请填写延长的天数 / the number of days is required")
            .InclusiveBetween(1, 90).WithMessage("延长 1 到 90 天 / between 1 and 90 days");
        RuleFor(r => r.Reason).Must(reason => !string.IsNullOrWhiteSpace(reason)).WithMessage("请说明延期理由 / the reason is required")
            .MaximumLength(ReferralActionRequestValidator.CommentLength)
            .WithMessage($"理由最长 {ReferralActionRequestValidator.CommentLength} 字 / at most {ReferralActionRequestValidator.CommentLength} characters");
    }
}

public sealed class ExtensionDecisionRequestValidator : AbstractValidator<ExtensionDecisionRequest>
{
    public ExtensionDecisionRequestValidator() =>
        RuleFor(r => r.Comment).MaximumLength(ReferralActionRequestValidator.CommentLength)
            .WithMessage($"说明最长 {ReferralActionRequestValidator.CommentLength} 字 / at most {ReferralActionRequestValidator.CommentLength} characters");
}

public sealed class RefusalRequestValidator : AbstractValidator<RefusalRequest>
{
    public RefusalRequestValidator() =>
        RuleFor(r => r.Comment).Must(comment => !string.IsNullOrWhiteSpace(comment))
            .WithMessage("不予延期须说明理由 / a refusal needs a comment")
            .MaximumLength(ReferralActionRequestValidator.CommentLength)
            .WithMessage($"说明最长 {ReferralActionRequestValidator.CommentLength} 字 / at most {ReferralActionRequestValidator.CommentLength} characters");
}
