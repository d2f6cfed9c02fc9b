using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Relief.Identity.Audit;
using Relief.Identity.Users;
using Relief.ServiceDefaults.Http;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Relief.Identity.Account;

/// <summary>What every signed-in user may do to their own account.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // The fallback policy: any signed-in user (a service's token has no user and gets 404 below).
        app.MapPost("/api/account/password", ChangePasswordAsync).Validate<ChangePasswordRequest>().WithTags("Account");
        return app;
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> ChangePasswordAsync(
        ChangePasswordRequest request, UserManager<StaffUser> users, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var user = http.User.FindFirst(Claims.Subject)?.Value is { } subject ? await users.FindByIdAsync(subject) : null;
        if (user is null)
        {
            return TypedResults.NotFound();
        }

        var changed = await users.ChangePasswordAsync(user, request.CurrentPassword, request.NewPassword);
        if (!changed.Succeeded)
        {
            return TypedResults.ValidationProblem(changed.Errors
                .GroupBy(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "currentPassword" : "newPassword")
                .ToDictionary(g => g.Key, g => g.Key == "currentPassword"
                    ? ["The current password is incorrect."]
                    : g.Select(e => e.Description).ToArray()));
        }

        await audit.AdministrationAsync(http, AuditActions.PasswordChanged, $"user {user.UserName} ({user.Id}) changed their password", cancellationToken);
        return TypedResults.NoContent();
    }
}

public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword);

public sealed class ChangePasswordRequestValidator : AbstractValidator<ChangePasswordRequest>
{
    public ChangePasswordRequestValidator()
    {
        RuleFor(r => r.CurrentPassword).NotEmpty();
        RuleFor(r => r.NewPassword).NotEmpty().NotEqual(r => r.CurrentPassword)
            .WithMessage("The new password must differ from the current one.");
    }
}
