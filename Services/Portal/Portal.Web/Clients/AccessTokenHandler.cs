using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;

namespace Relief.Portal.Clients;

/// <summary>Calls a service as the signed-in user: their access token, from the session kept on the server.</summary>
public sealed class AccessTokenHandler(IHttpContextAccessor httpContext) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (httpContext.HttpContext is { } http && await http.GetTokenAsync("access_token") is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
