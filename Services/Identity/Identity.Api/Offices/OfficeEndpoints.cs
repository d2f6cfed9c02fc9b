using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
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
        var offices = app.MapGroup("/api/admin/offices").RequireAuthorization(AuthorityPolicies.CityAdministrator);
        offices.MapPost("/", CreateAsync).Validate<CreateOfficeRequest>();
        offices.MapGet("/", ListAsync);
        return app;
    }

    public sealed record OfficeView(string Code, string Name, string Kind, string CountyCode)
    {
        public static OfficeView Of(Office office) => new(office.Code, office.Name, office.Kind, office.CountyCode);
    }

    private static async Task<Results<Created<OfficeView>, Conflict<Microsoft.AspNetCore.Mvc.ProblemDetails>>> CreateAsync(
        CreateOfficeRequest request, IdentityDb db, AuditLog audit, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        var office = new Office
        {
            Code = request.Code,
            Name = request.Name.Trim(),
            Kind = request.Kind,
            CountyCode = request.CountyCode,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Offices.Add(office);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Conflict(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "An office with this code exists.",
                Detail = $"Office '{request.Code}' exists.",
            });
        }

        await audit.AdministrationAsync(http, AuditActions.OfficeCreated, $"office {office.Code} ({office.Kind}, county {office.CountyCode})", cancellationToken);
        return TypedResults.Created($"/api/admin/offices/{office.Code}", OfficeView.Of(office));
    }

    private static async Task<Ok<List<OfficeView>>> ListAsync(IdentityDb db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Offices.AsNoTracking().OrderBy(o => o.Code)
            .Select(o => new OfficeView(o.Code, o.Name, o.Kind, o.CountyCode)).ToListAsync(cancellationToken));
}

/// <summary>A new office. <c>code</c> like <c>YH-CC-001</c>; <c>countyCode</c> six digits (GB/T 2260).</summary>
public sealed record CreateOfficeRequest(string Code, string Name, string Kind, string CountyCode);

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
