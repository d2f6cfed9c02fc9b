using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace Relief.Testing;

/// <summary>
/// Obtains real tokens from the identity authority (Services/Identity): the password grant for the public
/// client <c>relief-portal</c>, and users created through the authority's admin API.
/// </summary>
public static class IdentityAuthorityClient
{
    public const string ClientId = "relief-portal";
    /// <summary>"relief" is the scope of the resource (audience) every Relief service accepts.</summary>
    public const string Scopes = "openid offline_access relief";
    public const string TokenPath = "/connect/token";

    /// <summary>The access token of a user, by the password grant.</summary>
    public static async Task<string> GetAccessTokenAsync(HttpClient authority, string userName, string password) =>
        (await RequestPasswordTokenAsync(authority, userName, password)).AccessToken;

    /// <summary>The whole token response (access, refresh and identity token) of a password grant.</summary>
    public static async Task<TokenResponse> RequestPasswordTokenAsync(HttpClient authority, string userName, string password)
    {
        ArgumentNullException.ThrowIfNull(authority);
        using var response = await PostTokenRequestAsync(authority, new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = ClientId,
            ["username"] = userName,
            ["password"] = password,
            ["scope"] = Scopes,
        });
        return await ReadTokenAsync(response);
    }

    /// <summary>A service's own access token (client credentials).</summary>
    public static async Task<string> GetServiceTokenAsync(HttpClient authority, string clientId, string clientSecret)
    {
        using var response = await PostTokenRequestAsync(authority, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["scope"] = "relief",
        });
        return (await ReadTokenAsync(response)).AccessToken;
    }

    /// <summary>A new access (and refresh) token for a refresh token.</summary>
    public static async Task<TokenResponse> RefreshAsync(HttpClient authority, string refreshToken)
    {
        ArgumentNullException.ThrowIfNull(authority);
        using var response = await PostTokenRequestAsync(authority, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = ClientId,
            ["refresh_token"] = refreshToken,
        });
        return await ReadTokenAsync(response);
    }

    /// <summary>Posts a token request form as is, for tests that look at failures.</summary>
    public static async Task<HttpResponseMessage> PostTokenRequestAsync(HttpClient authority, IDictionary<string, string> form)
    {
        ArgumentNullException.ThrowIfNull(authority);
        using var content = new FormUrlEncodedContent(form);
        return await authority.PostAsync(new Uri(TokenPath, UriKind.Relative), content);
    }

    /// <summary>
    /// Creates a user of <paramref name="role"/> at <paramref name="officeCode"/> (creating the office first when it
    /// is missing) and returns a fresh user name and password for it.
    /// </summary>
    public static async Task<(string UserName, string Password)> CreateUserAsync(
        HttpClient authority, string adminToken, string role, string officeCode, string countyCode, string officeKind)
    {
        ArgumentNullException.ThrowIfNull(authority);
        using var office = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/admin/offices", UriKind.Relative))
        {
            Content = JsonContent.Create(new { code = officeCode, name = $"Office {officeCode}", kind = officeKind, countyCode }),
        };
        office.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using (var created = await authority.SendAsync(office))
        {
            if (created.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Conflict))
            {
                throw new InvalidOperationException(
                    $"Creating office {officeCode} answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
            }
        }

        var userName = $"{role.Replace('_', '-')}-{Guid.NewGuid():N}"[..32];
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        using var user = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/admin/users", UriKind.Relative))
        {
            Content = JsonContent.Create(new { userName, password, officeCode, role }),
        };
        user.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await authority.SendAsync(user);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException(
                $"Creating user {userName} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return (userName, password);
    }

    private static async Task<TokenResponse> ReadTokenAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            // The error body is OAuth's {error, error_description}: no secrets in it.
            throw new InvalidOperationException(
                $"The token request answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return await response.Content.ReadFromJsonAsync<TokenResponse>()
            ?? throw new InvalidOperationException("The token response is empty.");
    }

    public sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("id_token")] string? IdentityToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);
}
