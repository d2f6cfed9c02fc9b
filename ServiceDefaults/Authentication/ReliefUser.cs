using System.Security.Claims;

namespace Relief.ServiceDefaults.Authentication;

/// <summary>
/// Who is asking, as the access token says: the role and the office (its code, kind and county) it acts for. Every
/// query and command of a service scopes itself with this, not only the edge.
/// </summary>
public sealed record ReliefUser(string Subject, string Role, string Office, string County, string OfficeKind = "")
{
    /// <summary>The county code of the city bureau (运城市): its users see the whole network.</summary>
    public const string CityCounty = "140800";

    public static ReliefUser From(ClaimsPrincipal principal) => new(
        principal.FindFirstValue(ReliefClaims.Subject) ?? "",
        principal.FindFirstValue(ReliefClaims.Role) ?? "",
        principal.FindFirstValue(ReliefClaims.Office) ?? "",
        principal.FindFirstValue(ReliefClaims.County) ?? "",
        principal.FindFirstValue(ReliefClaims.OfficeKind) ?? "");

    public bool Is(string role) => string.Equals(Role, role, StringComparison.Ordinal);
}
