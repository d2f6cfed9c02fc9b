using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Relief.Identity.Audit;
using Relief.Identity.Offices;
using Relief.Identity.Storage;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Http;

namespace Relief.Identity.Users;

public static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/admin/users").RequireAuthorization(AuthorityPolicies.CityAdministrator);
        users.MapPost("/", CreateAsync).Validate<CreateUserRequest>();
        users.MapGet("/", ListAsync);
        users.MapPut("/{id}/role", ChangeRoleAsync).Validate<ChangeRoleRequest>();
        return app;
    }

    public sealed record UserView(string Id, string UserName, string OfficeCode, string? Role, DateTimeOffset? LockedOutUntil);

    private static async Task<Results<Created<UserView>, ValidationProblem, Conflict<ProblemDetails>>> CreateAsync(
        CreateUserRequest request, UserManager<StaffUser> users, IdentityDb db, AuditLog audit, TimeProvider clock,
        HttpContext http, CancellationToken cancellationToken)
    {
        var office = await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Code == request.OfficeCode, cancellationToken);
        if (office is null)
        {
            return Field("officeCode", $"There is no office '{request.OfficeCode}'.");
        }

        if (RoleOutsideItsOfficeKind(request.Role, office) is { } mismatch)
        {
            return Field("role", mismatch);
        }

        if (await users.FindByNameAsync(request.UserName) is not null)
        {
            return DuplicateUserName(request.UserName);
        }

        var user = new StaffUser { UserName = request.UserName, OfficeCode = request.OfficeCode, CreatedAt = clock.GetUtcNow() };
        var created = await users.CreateAsync(user, request.Password);
        if (!created.Succeeded)
        {
            // A concurrent request may have taken the name between the check and the insert.
            return created.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.DuplicateUserName))
                ? DuplicateUserName(request.UserName)
                : IdentityErrors(created);
        }

        var assigned = await users.AddToRoleAsync(user, request.Role);
        if (!assigned.Succeeded)
        {
            return IdentityErrors(assigned);
        }

        await audit.AdministrationAsync(http, AuditActions.UserCreated,
            $"user {user.UserName} ({user.Id}), office {user.OfficeCode}, role {request.Role}", cancellationToken);
        return TypedResults.Created($"/api/admin/users/{user.Id}", new UserView(user.Id, user.UserName, user.OfficeCode, request.Role, null));
    }

    private static async Task<Ok<List<UserView>>> ListAsync(IdentityDb db, CancellationToken cancellationToken)
    {
        var rows = await (
            from user in db.Users.AsNoTracking()
            join userRole in db.UserRoles on user.Id equals userRole.UserId into userRoles
            from userRole in userRoles.DefaultIfEmpty()
            join role in db.Roles on userRole.RoleId equals role.Id into roles
            from role in roles.DefaultIfEmpty()
            orderby user.UserName
            select new { user.Id, user.UserName, user.OfficeCode, Role = role.Name, user.LockoutEnd })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows
            .Select(r => new UserView(r.Id, r.UserName!, r.OfficeCode, r.Role, r.LockoutEnd > DateTimeOffset.UtcNow ? r.LockoutEnd : null))
            .ToList());
    }

    private static async Task<Results<Ok<UserView>, NotFound<ProblemDetails>, ValidationProblem>> ChangeRoleAsync(
        string id, ChangeRoleRequest request, UserManager<StaffUser> users, IdentityDb db, AuditLog audit, HttpContext http,
        CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return TypedResults.NotFound(new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "There is no such user." });
        }

        var office = await db.Offices.AsNoTracking().FirstAsync(o => o.Code == user.OfficeCode, cancellationToken);
        if (RoleOutsideItsOfficeKind(request.Role, office) is { } mismatch)
        {
            return Field("role", mismatch);
        }

        var current = await users.GetRolesAsync(user);
        if (!current.SequenceEqual([request.Role]))
        {
            var removed = current.Count > 0 ? await users.RemoveFromRolesAsync(user, current) : IdentityResult.Success;
            var added = removed.Succeeded ? await users.AddToRoleAsync(user, request.Role) : removed;
            if (!added.Succeeded)
            {
                return IdentityErrors(added);
            }

            // Refresh tokens issued before the change carry the old role into nothing: the token endpoint
            // reads the role afresh on every refresh. Access tokens keep it until they expire.
            await audit.AdministrationAsync(http, AuditActions.RoleChanged,
                $"user {user.UserName} ({user.Id}): {string.Join(",", current)} -> {request.Role}", cancellationToken);
        }

        return TypedResults.Ok(new UserView(user.Id, user.UserName!, user.OfficeCode, request.Role,
            user.LockoutEnd > DateTimeOffset.UtcNow ? user.LockoutEnd : null));
    }

    /// <summary>
    /// Why a user of <paramref name="office"/> cannot hold <paramref name="role"/> (station staff work at a relief
    /// station, point staff at a service point, …), or null when they can: scoping relies on the office's kind.
    /// </summary>
    private static string? RoleOutsideItsOfficeKind(string role, Office office) =>
        OfficeKinds.Allows(role, office.Kind)
            ? null
            : $"The role {role} is held at an office of kind {string.Join(" or ", OfficeKinds.ForRole[role])}; " +
              $"office '{office.Code}' is a {office.Kind}.";

    private static ValidationProblem Field(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static Conflict<ProblemDetails> DuplicateUserName(string userName) =>
        TypedResults.Conflict(new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "A user with this name exists.",
            Detail = $"User name '{userName}' is taken.",
        });

    /// <summary>Identity's errors as field errors: password rules name "password", anything else "userName".</summary>
    private static ValidationProblem IdentityErrors(IdentityResult result) =>
        TypedResults.ValidationProblem(result.Errors
            .GroupBy(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password"
                : e.Code.Contains("Role", StringComparison.Ordinal) ? "role" : "userName")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));
}

public sealed record CreateUserRequest(string UserName, string Password, string OfficeCode, string Role);

public sealed record ChangeRoleRequest(string Role);

public sealed class CreateUserRequestValidator : AbstractValidator<CreateUserRequest>
{
    public CreateUserRequestValidator()
    {
        RuleFor(r => r.UserName).NotEmpty().Matches("^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$")
            .WithMessage("The user name is 3 to 64 letters, digits and . _ @ -, starting with a letter or digit.");
        RuleFor(r => r.Password).NotEmpty();
        RuleFor(r => r.OfficeCode).NotEmpty();
        RuleFor(r => r.Role).NotEmpty().Must(role => ReliefRoles.All.Contains(role))
            .WithMessage($"The role is one of: {string.Join(", ", ReliefRoles.All)}.");
    }
}

public sealed class ChangeRoleRequestValidator : AbstractValidator<ChangeRoleRequest>
{
    public ChangeRoleRequestValidator() =>
        RuleFor(r => r.Role).NotEmpty().Must(role => ReliefRoles.All.Contains(role))
            .WithMessage($"The role is one of: {string.Join(", ", ReliefRoles.All)}.");
}
