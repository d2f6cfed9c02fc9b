using Microsoft.AspNetCore.Identity;

namespace Relief.Identity.Users;

/// <summary>A member of staff: belongs to one office and holds one role (an Identity role).</summary>
public sealed class StaffUser : IdentityUser
{
    public required string OfficeCode { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When an administrator disabled the account: it cannot sign in or refresh a token until enabled.</summary>
    public DateTimeOffset? DisabledAt { get; set; }
}
