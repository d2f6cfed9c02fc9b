using System.Net.Http.Json;

namespace Relief.Portal.Clients;

/// <summary>
/// The identity authority's administration and account API, as its OpenAPI document describes it
/// (<c>/openapi/v1.json</c> on the identity service): offices, users, signing keys, the user's own password.
/// </summary>
public sealed class IdentityAdminClient(HttpClient http)
{
    public async Task<ApiResult<List<OfficeView>>> ListOfficesAsync(string? county, string? kind, bool includeInactive, CancellationToken cancellationToken)
    {
        var query = Query.Of(("county", county), ("kind", kind), ("includeInactive", includeInactive ? "true" : null));
        return await ApiResult.FromAsync<List<OfficeView>>(await http.GetAsync($"/api/admin/offices{query}", cancellationToken), cancellationToken);
    }

    public async Task<ApiResult<OfficeView>> GetOfficeAsync(string code, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<OfficeView>(await http.GetAsync($"/api/admin/offices/{Uri.EscapeDataString(code)}", cancellationToken), cancellationToken);

    public async Task<ApiResult<OfficeView>> CreateOfficeAsync(CreateOffice office, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<OfficeView>(await http.PostAsJsonAsync("/api/admin/offices", office, cancellationToken), cancellationToken);

    public async Task<ApiResult<OfficeView>> UpdateOfficeAsync(string code, UpdateOffice office, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<OfficeView>(await http.PutAsJsonAsync($"/api/admin/offices/{Uri.EscapeDataString(code)}", office, cancellationToken), cancellationToken);

    public async Task<ApiResult<OfficeView>> SetOfficeActiveAsync(string code, bool active, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<OfficeView>(await http.PostAsync(
            $"/api/admin/offices/{Uri.EscapeDataString(code)}/{(active ? "reactivate" : "deactivate")}", null, cancellationToken), cancellationToken);

    public async Task<ApiResult<List<UserView>>> ListUsersAsync(CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<List<UserView>>(await http.GetAsync("/api/admin/users", cancellationToken), cancellationToken);

    public async Task<ApiResult<UserView>> GetUserAsync(string id, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<UserView>(await http.GetAsync($"/api/admin/users/{Uri.EscapeDataString(id)}", cancellationToken), cancellationToken);

    public async Task<ApiResult<UserView>> CreateUserAsync(CreateUser user, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<UserView>(await http.PostAsJsonAsync("/api/admin/users", user, cancellationToken), cancellationToken);

    public async Task<ApiResult<UserView>> ChangeRoleAsync(string id, string role, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<UserView>(await http.PutAsJsonAsync($"/api/admin/users/{Uri.EscapeDataString(id)}/role", new { role }, cancellationToken), cancellationToken);

    public async Task<ApiResult<UserView>> ChangeOfficeAsync(string id, string officeCode, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<UserView>(await http.PutAsJsonAsync($"/api/admin/users/{Uri.EscapeDataString(id)}/office", new { officeCode }, cancellationToken), cancellationToken);

    public async Task<ApiResult<UserView>> SetUserEnabledAsync(string id, bool enabled, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<UserView>(await http.PostAsync(
            $"/api/admin/users/{Uri.EscapeDataString(id)}/{(enabled ? "enable" : "disable")}", null, cancellationToken), cancellationToken);

    public async Task<ApiResult<NoValue>> ResetPasswordAsync(string id, string password, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<NoValue>(await http.PostAsJsonAsync($"/api/admin/users/{Uri.EscapeDataString(id)}/password", new { password }, cancellationToken), cancellationToken);

    public async Task<ApiResult<RotatedKey>> RotateSigningKeyAsync(CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<RotatedKey>(await http.PostAsync("/api/admin/signing-keys/rotate", null, cancellationToken), cancellationToken);

    public async Task<ApiResult<NoValue>> ChangeOwnPasswordAsync(string currentPassword, string newPassword, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<NoValue>(await http.PostAsJsonAsync("/api/account/password", new { currentPassword, newPassword }, cancellationToken), cancellationToken);

    /// <summary>Ends the session's refresh token at the authority (sign-out); a failure leaves it to expire.</summary>
    public static async Task RevokeAsync(HttpClient authority, Uri revocationEndpoint, string token, string clientId, string clientSecret, CancellationToken cancellationToken)
    {
        using var response = await authority.PostAsync(revocationEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token,
            ["token_type_hint"] = "refresh_token",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        }), cancellationToken);
    }
}

public sealed record OfficeView(string Code, string Name, string Kind, string CountyCode, bool Active, DateTimeOffset? DeactivatedAt);

public sealed record CreateOffice(string Code, string Name, string Kind, string CountyCode);

public sealed record UpdateOffice(string Name, string CountyCode);

public sealed record UserView(string Id, string UserName, string OfficeCode, string? Role, DateTimeOffset? LockedOutUntil, DateTimeOffset? DisabledAt);

public sealed record CreateUser(string UserName, string Password, string OfficeCode, string Role);

public sealed record RotatedKey(string KeyId, DateTimeOffset ActivatesAt);
