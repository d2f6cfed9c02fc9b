using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Testing;

/// <summary>
/// Tokens that look right — the claims of a real user, a plausible issuer and audience — but that no trusted
/// authority signed: every service must refuse them.
/// </summary>
public static class ForgedTokens
{
    public const string Issuer = "http://localhost/";
    public const string Audience = "relief";
    public const string SigningKey = "a-key-nobody-trusts-0123456789abcdef";

    public static string Mint(
        string role = ReliefRoles.PointStaff,
        string office = "YH-CC-001",
        string county = "140802",
        string subject = "staff-1",
        string signingKey = SigningKey,
        DateTime? expires = null,
        string issuer = Issuer)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddMinutes(30);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(
            [
                new Claim(ReliefClaims.Subject, subject),
                new Claim(ReliefClaims.Role, role),
                new Claim(ReliefClaims.Office, office),
                new Claim(ReliefClaims.County, county),
            ]),
            NotBefore = expiry < now ? expiry.AddMinutes(-10) : now.AddMinutes(-1),
            IssuedAt = expiry < now ? expiry.AddMinutes(-10) : now.AddMinutes(-1),
            Expires = expiry,
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
