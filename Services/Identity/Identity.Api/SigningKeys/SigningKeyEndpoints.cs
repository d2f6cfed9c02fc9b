using Microsoft.AspNetCore.Http.HttpResults;
using Relief.Identity.Audit;

namespace Relief.Identity.SigningKeys;

public static class SigningKeyEndpoints
{
    public static IEndpointRouteBuilder MapSigningKeyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/admin/signing-keys/rotate", RotateAsync).RequireAuthorization(AuthorityPolicies.CityAdministrator);
        return app;
    }

    public sealed record RotatedKey(string KeyId, DateTimeOffset ActivatesAt);

    private static async Task<Ok<RotatedKey>> RotateAsync(SigningKeyStore keys, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (keyId, activatesAt) = await keys.RotateAsync(cancellationToken);
        await audit.AdministrationAsync(http, AuditActions.SigningKeyRotated, $"new key {keyId}, signing from {activatesAt:O}", cancellationToken);
        return TypedResults.Ok(new RotatedKey(keyId, activatesAt));
    }
}
