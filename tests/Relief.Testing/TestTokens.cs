using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Testing;

/// <summary>Mints access tokens the way the development issuer does, so tests act as any user.</summary>
public static class TestTokens
{
    public const string Issuer = "relief-dev";
    public const string Audience = "relief";

    /// <summary>The signing key the test hosts are configured with.</summary>
    public const string SigningKey = "relief-tests-signing-key-0123456789abcdef";

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
