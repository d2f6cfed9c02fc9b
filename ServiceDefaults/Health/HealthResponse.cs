using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Relief.ServiceDefaults.Health;

/// <summary>
/// The body of <c>/health</c>: the overall status and each check's status and description, so a monitor (or the
/// dashboard) knows what to act on. Descriptions are our own words, never an exception's text.
/// </summary>
public static class HealthResponse
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(entry => entry.Key, entry => new
            {
                status = entry.Value.Status.ToString(),
                description = entry.Value.Exception is null ? entry.Value.Description : Unreachable(entry.Value),
            }),
        }, Json, context.RequestAborted);
    }

    /// <summary>A failed check says what failed, by the exception's type: its message could carry a connection string.</summary>
    private static string Unreachable(HealthReportEntry entry) => $"Failed: {entry.Exception!.GetType().Name}.";
}
