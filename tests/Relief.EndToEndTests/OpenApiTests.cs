using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;

namespace Relief.EndToEndTests;

/// <summary>Every service describes its API at /openapi/v1.json, open to an office's own systems (README, APIs).</summary>
[Collection(nameof(SharedStack))]
public sealed class OpenApiTests(SharedStack shared)
{
    [Theory]
    [InlineData("identity", "/api/admin/users")]
    [InlineData("intake", "/api/cases")]
    [InlineData("registry", "/api/persons/{id}")]
    [InlineData("referral", "/api/referrals/{id}")]
    [InlineData("notification", "/api/notifications")]
    public async Task Each_service_publishes_its_OpenAPI_document_without_sign_in(string service, string path)
    {
        using var client = shared.Stack.App.CreateHttpClient(service);
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains(path, paths);
    }
}
