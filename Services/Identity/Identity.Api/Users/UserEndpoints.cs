using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
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
        var users = app.MapGroup("/api/admin/users").RequireAuthorization(AuthorityPolicies.CityAdministrator)
            .WithTags("Users");
        users.MapPost("/", CreateAsync).Validate<CreateUserRequest>();
        users.MapGet("/", ListAsync);
        users.MapGet("/{id}", GetAsync);
        users.MapPut("/{id}/role", ChangeRoleAsync).Validate<ChangeRoleRequest>();
        users.MapPut("/{id}/office", ChangeOfficeAsync).Validate<ChangeOfficeRequest>();
        users.MapPost("/{id}/disable", DisableAsync);
        users.MapPost("/{id}/enable", EnableAsync);
        users.MapPost("/{id}/password", ResetPasswordAsync).Validate<ResetPasswordRequest>();
        return app;
    }

    public sealed record UserView(
        string Id, string UserName, string OfficeCode, string? Role, DateTimeOffset? LockedOutUntil, DateTimeOffset? DisabledAt)
    {
        public static UserView Of(StaffUser user, string? role) =>
            new(user.Id, user.UserName!, user.OfficeCode, role, user.LockoutEnd > DateTimeOffset.UtcNow ? user.LockoutEnd : null, user.DisabledAt);
    }

    private static async Task<Results<Created<UserView>, ValidationProblem, Conflict<ProblemDetails>>> CreateAsync(
        CreateUserRequest request, UserManager<StaffUser> users, IdentityDb db, AuditLog audit, TimeProvider clock,
        HttpContext http, CancellationToken cancellationToken)
    {
        var office = await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Code == request.OfficeCode, cancellationToken);
        if (office is null)
        {
            return Field("officeCode", $"There is no office '{request.OfficeCode}'.");
        }

        if (office.DeactivatedAt is not null)
        {
            return Field("officeCode", $"Office '{request.OfficeCode}' is deactivated.");
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
        return TypedResults.Created($"/api/admin/users/{user.Id}", UserView.Of(user, request.Role));
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
            select new { user, Role = role.Name })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(r => UserView.Of(r.user, r.Role)).ToList());
    }

    private static async Task<Results<Ok<UserView>, NotFound<ProblemDetails>>> GetAsync(string id, UserManager<StaffUser> users)
    {
        var user = await users.FindByIdAsync(id);
        return user is null ? NoSuchUser() : TypedResults.Ok(UserView.Of(user, (await users.GetRolesAsync(user)).FirstOrDefault()));
    }

    /// <summary>Moves a user to another office, which must allow the user's role (and be open).</summary>
    private static async Task<Results<Ok<UserView>, NotFound<ProblemDetails>, ValidationProblem>> ChangeOfficeAsync(
        string id, ChangeOfficeRequest request, UserManager<StaffUser> users, IdentityDb db, AuditLog audit, HttpContext http,
        CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NoSuchUser();
        }

        var office = await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Code == request.OfficeCode, cancellationToken);
        if (office is null || office.DeactivatedAt is not null)
        {
            return Field("officeCode", office is null ? $"There is no office '{request.OfficeCode}'." : $"Office '{request.OfficeCode}' is deactivated.");
        }

        var role = (await users.GetRolesAsync(user)).FirstOrDefault();
        if (role is not null && RoleOutsideItsOfficeKind(role, office) is { } mismatch)
        {
            return Field("officeCode", mismatch);
        }

        if (user.OfficeCode != office.Code)
        {
            var before = user.OfficeCode;
            user.OfficeCode = office.Code;
            var updated = await users.UpdateAsync(user);
            if (!updated.Succeeded)
            {
                return IdentityErrors(updated);
            }

            await audit.AdministrationAsync(http, AuditActions.UserMoved, $"user {user.UserName} ({user.Id}): {before} -> {office.Code}", cancellationToken);
        }

        return TypedResults.Ok(UserView.Of(user, role));
    }

    /// <summary>
    /// A disabled user cannot sign in, and every refresh token issued to them is revoked: a portal session ends at its
    /// next refresh, an access token already issued lives out its lifetime.
    /// </summary>
    private static async Task<Results<Ok<UserView>, NotFound<ProblemDetails>, ValidationProblem>> DisableAsync(
        string id, UserManager<StaffUser> users, IOpenIddictTokenManager tokens, AuditLog audit, TimeProvider clock, HttpContext http,
        CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NoSuchUser();
        }

        if (user.Id == http.User.FindFirst(OpenIddictConstants.Claims.Subject)?.Value)
        {
            return Field("id", "An administrator cannot disable their own account.");
        }

        if (user.DisabledAt is null)
        {
            user.DisabledAt = clock.GetUtcNow();
            var updated = await users.UpdateAsync(user);
            if (!updated.Succeeded)
            {
                return IdentityErrors(updated);
            }

            await tokens.RevokeBySubjectAsync(user.Id, cancellationToken);
            await audit.AdministrationAsync(http, AuditActions.UserDisabled, $"user {user.UserName} ({user.Id})", cancellationToken);
        }

        return TypedResults.Ok(UserView.Of(user, (await users.GetRolesAsync(user)).FirstOrDefault()));
    }

    private static async Task<Results<Ok<UserView>, NotFound<ProblemDetails>, ValidationProblem>> EnableAsync(
        string id, UserManager<StaffUser> users, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NoSuchUser();
        }

        if (user.DisabledAt is not null || user.LockoutEnd > DateTimeOffset.UtcNow)
        {
            user.DisabledAt = null;
            // Enabling also lifts a lock-out: the administrator has just spoken with the user.
            user.LockoutEnd = null;
            user.AccessFailedCount = 0;
            var updated = await users.UpdateAsync(user);
            if (!updated.Succeeded)
            {
                return IdentityErrors(updated);
            }

            await audit.AdministrationAsync(http, AuditActions.UserEnabled, $"user {user.UserName} ({user.Id})", cancellationToken);
        }

        return TypedResults.Ok(UserView.Of(user, (await users.GetRolesAsync(user)).FirstOrDefault()));
    }

    /// <summary>Sets a new password the administrator hands to the user; it also lifts a lock-out.</summary>
    private static async Task<Results<NoContent, NotFound<ProblemDetails>, ValidationProblem>> ResetPasswordAsync(
        string id, ResetPasswordRequest request, UserManager<StaffUser> users, IOpenIddictTokenManager tokens, AuditLog audit,
        HttpContext http, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NoSuchUser();
        }

        // Checked before anything changes: a refused password leaves the old one in place.
        var refusals = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            refusals.AddRange((await validator.ValidateAsync(users, user, request.Password)).Errors);
        }

        if (refusals.Count > 0)
        {
            return IdentityErrors(IdentityResult.Failed([.. refusals]));
        }

        user.PasswordHash = users.PasswordHasher.HashPassword(user, request.Password);
        user.LockoutEnd = null;
        user.AccessFailedCount = 0;
        var updated = await users.UpdateSecurityStampAsync(user);
        if (!updated.Succeeded)
        {
            return IdentityErrors(updated);
        }

        // Whoever held the old password holds no session either.
        await tokens.RevokeBySubjectAsync(user.Id, cancellationToken);
        await audit.AdministrationAsync(http, AuditActions.PasswordReset, $"user {user.UserName} ({user.Id})", cancellationToken);
        return TypedResults.NoContent();
    }

    private static NotFound<ProblemDetails> NoSuchUser() =>
        TypedResults.NotFound(new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "There is no such user." });

    private static async Task<Results<Ok<UserView>, NotFound<ProblemDetails>, ValidationProblem>> ChangeRoleAsync(
        string id, ChangeRoleRequest request, UserManager<StaffUser> users, IdentityDb db, AuditLog audit, HttpContext http,
        CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NoSuchUser();
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

        return TypedResults.Ok(UserView.Of(user, request.Role));
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

public sealed record ChangeOfficeRequest(string OfficeCode);

public sealed record ResetPasswordRequest(string Password);

public sealed class ChangeOfficeRequestValidator : AbstractValidator<ChangeOfficeRequest>
{
    public ChangeOfficeRequestValidator() => RuleFor(r => r.OfficeCode).NotEmpty();
}

public sealed class ResetPasswordRequestValidator : AbstractValidator<ResetPasswordRequest>
{
    public ResetPasswordRequestValidator() => RuleFor(r => r.Password).NotEmpty();
}

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
