using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Relief.Identity.Audit;
using Relief.Identity.Storage;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Http;

namespace Relief.Identity.Offices;

public static class OfficeEndpoints
{
    public static IEndpointRouteBuilder MapOfficeEndpoints(this IEndpointRouteBuilder app)
    {
        var offices = app.MapGroup("/api/admin/offices").RequireAuthorization(AuthorityPolicies.CityAdministrator)
            .WithTags("Offices");
        offices.MapPost("/", CreateAsync).Validate<CreateOfficeRequest>();
        offices.MapGet("/", ListAsync);
        offices.MapGet("/{code}", GetAsync);
        offices.MapPut("/{code}", UpdateAsync).Validate<UpdateOfficeRequest>();
        offices.MapPost("/{code}/deactivate", (string code, OfficeChanges changes, AuditLog audit, TimeProvider clock, HttpContext http, CancellationToken ct) =>
            SetActiveAsync(code, active: false, changes, audit, clock, http, ct));
        offices.MapPost("/{code}/reactivate", (string code, OfficeChanges changes, AuditLog audit, TimeProvider clock, HttpContext http, CancellationToken ct) =>
            SetActiveAsync(code, active: true, changes, audit, clock, http, ct));
        return app;
    }

    public sealed record OfficeView(string Code, string Name, string Kind, string CountyCode, bool Active, DateTimeOffset? DeactivatedAt)
    {
        public static OfficeView Of(Office office) =>
            new(office.Code, office.Name, office.Kind, office.CountyCode, office.DeactivatedAt is null, office.DeactivatedAt);
    }

    private static async Task<Results<Created<OfficeView>, Conflict<ProblemDetails>>> CreateAsync(
        CreateOfficeRequest request, IdentityDb db, OfficeChanges changes, AuditLog audit, TimeProvider clock, HttpContext http,
        CancellationToken cancellationToken)
    {
        var office = new Office
        {
            Code = request.Code,
            Name = request.Name.Trim(),
            Kind = request.Kind,
            CountyCode = request.CountyCode,
            CreatedAt = clock.GetUtcNow(),
        };
        await using var transaction = await changes.BeginAsync(cancellationToken);
        db.Offices.Add(office);
        try
        {
            await changes.CommitAsync(transaction, office, cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Conflict(new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "An office with this code exists.",
                Detail = $"Office '{request.Code}' exists.",
                Extensions = { ["errors"] = new Dictionary<string, string[]> { ["code"] = [$"Office '{request.Code}' exists."] } },
            });
        }

        await audit.AdministrationAsync(http, AuditActions.OfficeCreated, $"office {office.Code} ({office.Kind}, county {office.CountyCode})", cancellationToken);
        return TypedResults.Created($"/api/admin/offices/{office.Code}", OfficeView.Of(office));
    }

    /// <summary>Offices by code; <c>county</c> and <c>kind</c> narrow the list, inactive ones only with <c>includeInactive</c>.</summary>
    private static async Task<Ok<List<OfficeView>>> ListAsync(
        IdentityDb db, CancellationToken cancellationToken, string? county = null, string? kind = null, bool includeInactive = false)
    {
        var query = db.Offices.AsNoTracking();
        if (!string.IsNullOrEmpty(county))
        {
            query = query.Where(o => o.CountyCode == county);
        }

        if (!string.IsNullOrEmpty(kind))
        {
            query = query.Where(o => o.Kind == kind);
        }

        if (!includeInactive)
        {
            query = query.Where(o => o.DeactivatedAt == null);
        }

        var offices = await query.OrderBy(o => o.Code).ToListAsync(cancellationToken);
        return TypedResults.Ok(offices.Select(OfficeView.Of).ToList());
    }

    private static async Task<Results<Ok<OfficeView>, NotFound<ProblemDetails>>> GetAsync(string code, IdentityDb db, CancellationToken cancellationToken) =>
        await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Code == code, cancellationToken) is { } office
            ? TypedResults.Ok(OfficeView.Of(office))
            : NoSuchOffice(code);

    /// <summary>
    /// Renames an office or moves it to another county. Its kind stays: every user's role was checked against it,
    /// and a relief station that became a service point would leave its staff scoped to nothing.
    /// </summary>
    private static async Task<Results<Ok<OfficeView>, NotFound<ProblemDetails>, ValidationProblem>> UpdateAsync(
        string code, UpdateOfficeRequest request, OfficeChanges changes, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        await using var transaction = await changes.BeginAsync(cancellationToken);
        var office = await changes.LockAsync(code, cancellationToken);
        if (office is null)
        {
            return NoSuchOffice(code);
        }

        if (office.Code == Office.CityBureauCode && request.CountyCode != Office.CityCountyCode)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["countyCode"] = [$"The city bureau belongs to the whole city ({Office.CityCountyCode})."],
            });
        }

        var before = $"{office.Name}, county {office.CountyCode}";
        var name = request.Name.Trim();
        if (name == office.Name && request.CountyCode == office.CountyCode)
        {
            // Nothing changed: no new version to announce.
            return TypedResults.Ok(OfficeView.Of(office));
        }

        office.Name = name;
        office.CountyCode = request.CountyCode;
        await changes.CommitAsync(transaction, office, cancellationToken);
        await audit.AdministrationAsync(http, AuditActions.OfficeChanged,
            $"office {office.Code}: {before} -> {office.Name}, county {office.CountyCode}", cancellationToken);
        return TypedResults.Ok(OfficeView.Of(office));
    }

    private static async Task<Results<Ok<OfficeView>, NotFound<ProblemDetails>, ValidationProblem>> SetActiveAsync(
        string code, bool active, OfficeChanges changes, AuditLog audit, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        await using var transaction = await changes.BeginAsync(cancellationToken);
        var office = await changes.LockAsync(code, cancellationToken);
        if (office is null)
        {
            return NoSuchOffice(code);
        }

        if (!active && office.Code == Office.CityBureauCode)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["code"] = ["The city bureau cannot be deactivated: its administrators run the system."],
            });
        }

        if ((office.DeactivatedAt is null) != active)
        {
            office.DeactivatedAt = active ? null : clock.GetUtcNow();
            await changes.CommitAsync(transaction, office, cancellationToken);
            await audit.AdministrationAsync(http, active ? AuditActions.OfficeReactivated : AuditActions.OfficeDeactivated,
                $"office {office.Code}", cancellationToken);
        }

        return TypedResults.Ok(OfficeView.Of(office));
    }

    private static NotFound<ProblemDetails> NoSuchOffice(string code) =>
        TypedResults.NotFound(new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "There is no such office.", Detail = $"There is no office '{code}'." });
}

/// <summary>A new office. <c>code</c> like <c>YH-CC-001</c>; <c>countyCode</c> six digits (GB/T 2260).</summary>
public sealed record CreateOfficeRequest(string Code, string Name, string Kind, string CountyCode);

/// <summary>An office's new name and county.</summary>
public sealed record UpdateOfficeRequest(string Name, string CountyCode);

public sealed class CreateOfficeRequestValidator : AbstractValidator<CreateOfficeRequest>
{
    public CreateOfficeRequestValidator()
    {
        RuleFor(r => r.Code).NotEmpty().Matches("^[A-Z0-9][A-Z0-9-]{1,31}$")
            .WithMessage("The code is 2 to 32 upper-case letters, digits and hyphens, e.g. YH-CC-001.");
        RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Kind).NotEmpty().Must(kind => OfficeKinds.All.Contains(kind))
            .WithMessage($"The kind is one of: {string.Join(", ", OfficeKinds.All)}.");
        RuleFor(r => r.CountyCode).NotEmpty().Matches("^[0-9]{6}$")
            .WithMessage("The county code is six digits (GB/T 2260).");
    }
}

public sealed class UpdateOfficeRequestValidator : AbstractValidator<UpdateOfficeRequest>
{
    public UpdateOfficeRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
        RuleFor(r => r.CountyCode).NotEmpty().Matches("^[0-9]{6}$")
            .WithMessage("The county code is six digits (GB/T 2260).");
    }
}
