using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Relief.ServiceDefaults.Messaging;

namespace Relief.ServiceDefaults.Http;

/// <summary>
/// Turns a request the framework could not read into a 400 naming the field, a fault that passes by itself (the
/// database restarting or unreachable) into a 503 with Retry-After, and anything else into a 500 that says nothing
/// about the inside (exception texts can carry personal data and SQL).
/// </summary>
public sealed partial class RequestExceptionHandler(IProblemDetailsService problemDetails, ILogger<RequestExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        if (exception is BadHttpRequestException badRequest)
        {
            var (field, reason) = Describe(badRequest);
            problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [reason] })
            {
                Status = badRequest.StatusCode,
                Title = "The request could not be read.",
            };
        }
        else if (TransientFaults.IsTransient(exception))
        {
            LogUnavailable(logger, exception.GetType().FullName);
            httpContext.Response.Headers.RetryAfter = "5";
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The service is briefly unavailable.",
                Detail = "Its database or message broker cannot be reached just now. Try again in a few seconds.",
            };
        }
        else
        {
            // Type only: the message may quote data.
            LogUnhandled(logger, exception.GetType().FullName);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "An unexpected error occurred.",
            };
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    /// <summary>The field a bad body refers to, as the client named it (camelCase JSON path without "$.").</summary>
    public static (string Field, string Reason) Describe(BadHttpRequestException exception)
    {
        if (exception.InnerException is JsonException json)
        {
            var field = JsonPathToField(json.Path);
            if (UnmappedMember().Match(json.Message) is { Success: true } unmapped)
            {
                // A misspelt field must not quietly lose what staff typed: refused, naming it.
                var name = unmapped.Groups[1].Value;
                return (field == "body" ? name : field, $"未知字段 '{name}'，没有保存任何内容 / unknown field '{name}': nothing was saved");
            }

            return (field,
                json is ControlCharacterException ? ControlCharacters.Reason
                : field == "body" ? "The body is not valid JSON."
                : $"The value of '{field}' is not valid.");
        }

        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ("body", "The body is too large.");
        }

        if (exception.Message.Contains("body", StringComparison.OrdinalIgnoreCase))
        {
            return ("body", "A request body is required.");
        }

        // Route and query binding failures name the parameter: 'Failed to bind parameter "Guid caseId" from "x".'
        var parameter = ParameterName().Match(exception.Message);
        return parameter.Success
            ? (parameter.Groups[1].Value, $"The value of '{parameter.Groups[1].Value}' is missing or not valid.")
            : ("body", "The body is missing or unreadable.");
    }

    public static string JsonPathToField(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "body";
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    [GeneratedRegex(@"parameter ""(?:[^""\s]+ )?([A-Za-z0-9_]+)""")]
    private static partial Regex ParameterName();

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ExceptionType} while processing a request: answered 503, try again")]
    private static partial void LogUnavailable(ILogger logger, string? exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled {ExceptionType} while processing a request")]
    private static partial void LogUnhandled(ILogger logger, string? exceptionType);

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedMember();
}
