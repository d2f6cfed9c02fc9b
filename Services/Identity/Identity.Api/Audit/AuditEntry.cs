namespace Relief.Identity.Audit;

/// <summary>One row of the append-only audit trail (a trigger rejects UPDATE and DELETE). Never holds a password or token.</summary>
public sealed class AuditEntry
{
    public long Id { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    /// <summary>The user name given (sign-in) or the acting user's name (administration).</summary>
    public required string Actor { get; init; }
    public required string Action { get; init; }
    public required string Outcome { get; init; }
    public string? ClientIp { get; init; }
    public string? ClientId { get; init; }
    public string? Detail { get; init; }
}

public static class AuditActions
{
    public const string SignIn = "sign_in";
    public const string Refresh = "refresh";
    public const string OfficeCreated = "office_created";
    public const string UserCreated = "user_created";
    public const string RoleChanged = "role_changed";
    public const string SigningKeyRotated = "signing_key_rotated";
    public const string OfficeChanged = "office_changed";
    public const string OfficeDeactivated = "office_deactivated";
    public const string OfficeReactivated = "office_reactivated";
    public const string UserMoved = "user_moved";
    public const string UserDisabled = "user_disabled";
    public const string UserEnabled = "user_enabled";
    public const string PasswordReset = "password_reset";
    public const string PasswordChanged = "password_changed";
    public const string SignOut = "sign_out";
}

public static class AuditOutcomes
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string LockedOut = "locked_out";
}
