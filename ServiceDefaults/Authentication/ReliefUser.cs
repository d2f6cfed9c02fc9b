using System.Security.Claims;

namespace Relief.ServiceDefaults.Authentication;

/// <summary>
/// Who is asking, as the access token says: the role and the office (its code, kind and county) it acts for. Every
/// query and command of a service scopes itself with this, not only the edge. <see cref="Name"/> is what a service
/// stores beside <see cref="Subject"/> where it records who did something, for people to read; it is staff's own data,
/// not the person in hardship's, but it stays out of logs and events all the same: an id says enough there.
/// </summary>
public sealed record ReliefUser(string Subject, string Role, string Office, string County, string OfficeKind = "", string Name = "")
{
    /// <summary>The county code of the city bureau (运城市): its users see the whole network.</summary>
    public const string CityCounty = "140800";

    public static ReliefUser From(ClaimsPrincipal principal) => new(
        principal.FindFirstValue(ReliefClaims.Subject) ?? "",
        principal.FindFirstValue(ReliefClaims.Role) ?? "",
        principal.FindFirstValue(ReliefClaims.Office) ?? "",
        principal.FindFirstValue(ReliefClaims.County) ?? "",
        principal.FindFirstValue(ReliefClaims.OfficeKind) ?? "",
        principal.FindFirstValue(ReliefClaims.Name) ?? "");

    /// <summary>The name to store beside the subject; null when the token carried none (the page then shows the subject).</summary>
    public string? DisplayName => string.IsNullOrWhiteSpace(Name) ? null : Name;

    /// <summary>The office to store beside the subject; null for a caller with none (a service).</summary>
    public string? OfficeOrNull => string.IsNullOrWhiteSpace(Office) ? null : Office;

    public bool Is(string role) => string.Equals(Role, role, StringComparison.Ordinal);
}
