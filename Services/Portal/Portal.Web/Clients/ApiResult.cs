using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Relief.Portal.Clients;

/// <summary>
/// A service's answer as a page needs it: the value, or the refusal with its field errors (problem details, field
/// names as the service's JSON spells them) to show beside each field.
/// </summary>
public sealed class ApiResult<T>
{
    public T? Value { get; }
    public HttpStatusCode Status { get; }
    public string? Title { get; }
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>The refusal's whole problem document, for members beyond title and errors (a 409's current state).</summary>
    public JsonElement? Problem { get; }

    public bool Succeeded => (int)Status is >= 200 and < 300;

    public string[] ErrorsFor(string field) =>
        Errors.FirstOrDefault(pair => string.Equals(pair.Key, field, StringComparison.OrdinalIgnoreCase)).Value ?? [];

    internal ApiResult(T? value, HttpStatusCode status, string? title, IReadOnlyDictionary<string, string[]> errors, JsonElement? problem = null)
    {
        Value = value;
        Status = status;
        Title = title;
        Errors = errors;
        Problem = problem;
    }
}

/// <summary>The value of an answer that has none (204).</summary>
public sealed record NoValue;

/// <summary>A query string of the given parameters, leaving out those without a value.</summary>
public static class Query
{
    public static QueryString Of(params (string Name, string? Value)[] parameters) =>
        QueryString.Create(parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => KeyValuePair.Create(p.Name, p.Value)));
}

/// <summary>Reads a service's answer into an <see cref="ApiResult{T}"/>.</summary>
public static class ApiResult
{
    /// <summary>A value the portal answers itself (200), as if a service had.</summary>
    public static ApiResult<T> Of<T>(T value) => new(value, HttpStatusCode.OK, null, new Dictionary<string, string[]>());

    /// <summary>
    /// Sends a request and reads its answer; a service that cannot be reached (refused, timed out, its circuit open) is
    /// a 503 result, so a page can show what it has from the other services instead of failing whole.
    /// </summary>
    public static async Task<ApiResult<T>> CallAsync<T>(Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await send();
        }
        catch (Exception e) when (e is HttpRequestException or Polly.ExecutionRejectedException
                                   || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ApiResult<T>(default, HttpStatusCode.ServiceUnavailable, null, new Dictionary<string, string[]>());
        }

        return await FromAsync<T>(response, cancellationToken);
    }

    public static async Task<ApiResult<T>> FromAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                var value = response.StatusCode == HttpStatusCode.NoContent || typeof(T) == typeof(NoValue)
                    ? default
                    : await response.Content.ReadFromJsonAsync<T>(cancellationToken);
                return new ApiResult<T>(value, response.StatusCode, null, new Dictionary<string, string[]>());
            }

            var problem = await ReadProblemAsync(response, cancellationToken);
            return new ApiResult<T>(default, response.StatusCode, problem.Title, problem.Errors, problem.Document);
        }
    }

    private static async Task<(string? Title, Dictionary<string, string[]> Errors, JsonElement? Document)> ReadProblemAsync(
        HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            if (problem.ValueKind != JsonValueKind.Object)
            {
                return (null, errors, null);
            }

            if (problem.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in fields.EnumerateObject())
                {
                    errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                        ? field.Value.EnumerateArray().Select(e => e.GetString() ?? "").ToArray()
                        : [field.Value.ToString()];
                }
            }

            var title = problem.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String
                ? detail.GetString()
                : problem.TryGetProperty("title", out var t) ? t.GetString() : null;
            return (title, errors, problem);
        }
        catch (JsonException)
        {
            return (null, errors, null);
        }
    }
}
