using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Relief.Identity.Audit;
using Relief.Identity.Storage;
using Relief.Identity.Users;

namespace Relief.Identity.SignIn;

public enum PasswordVerdict
{
    Accepted,
    WrongCredentials,
    Disabled,
    LockedOut,
    NoRoleOrOpenOffice,
}

/// <summary>
/// A user name and password checked the one way for the token endpoint (password grant) and the sign-in page: failures
/// count towards the lock-out, every attempt is audited, and the caller words the verdict for its audience.
/// </summary>
public sealed class PasswordCheck(UserManager<StaffUser> users, SignInManager<StaffUser> signIn, IdentityDb db, AuditLog audit)
{
    public async Task<(PasswordVerdict Verdict, StaffUser? User)> CheckAsync(
        HttpContext http, string? userName, string? password, string? clientId, CancellationToken cancellationToken)
    {
        var user = string.IsNullOrWhiteSpace(userName) ? null : await users.FindByNameAsync(userName.Trim());
        if (user is null)
        {
            return await RefuseAsync(PasswordVerdict.WrongCredentials, userName ?? "", "unknown user");
        }

        if (user.DisabledAt is not null)
        {
            return await RefuseAsync(PasswordVerdict.Disabled, user.UserName!, $"user {user.Id} is disabled");
        }

        // Counts the failure and locks the account after Identity:Lockout:MaxFailedAttempts of them.
        var result = await signIn.CheckPasswordSignInAsync(user, password ?? "", lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            await audit.SignInAsync(http, user.UserName!, clientId, AuditOutcomes.LockedOut, $"user {user.Id} is locked out", cancellationToken);
            return (PasswordVerdict.LockedOut, user);
        }

        if (!result.Succeeded)
        {
            return await RefuseAsync(PasswordVerdict.WrongCredentials, user.UserName!,
                result.IsNotAllowed ? $"user {user.Id} is not allowed to sign in" : $"user {user.Id}: wrong password");
        }

        var office = await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Code == user.OfficeCode, cancellationToken);
        if (office is null || office.DeactivatedAt is not null || (await users.GetRolesAsync(user)).Count == 0)
        {
            return await RefuseAsync(PasswordVerdict.NoRoleOrOpenOffice, user.UserName!, $"user {user.Id} has no role or open office");
        }

        await audit.SignInAsync(http, user.UserName!, clientId, AuditOutcomes.Succeeded, $"user {user.Id}", cancellationToken);
        return (PasswordVerdict.Accepted, user);

        async Task<(PasswordVerdict, StaffUser?)> RefuseAsync(PasswordVerdict verdict, string actor, string detail)
        {
            await audit.SignInAsync(http, actor, clientId, AuditOutcomes.Failed, detail, cancellationToken);
            return (verdict, user);
        }
    }

    /// <summary>Whether the refused user's office is closed (the sign-in page says so; the token endpoint does not).</summary>
    public async Task<bool> OfficeClosedAsync(StaffUser user, CancellationToken cancellationToken) =>
        await db.Offices.AsNoTracking().AnyAsync(o => o.Code == user.OfficeCode && o.DeactivatedAt != null, cancellationToken);
}
