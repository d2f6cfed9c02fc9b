using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Relief.ServiceDefaults.Http;

/// <summary>
/// Text fields hold what people typed: tab and line breaks, never other C0 control characters (U+0000–U+001F). A NUL
/// in particular is refused by PostgreSQL and would surface as a 500; everything else is invisible junk that confuses
/// search and display. Such text is a 400 naming the field, in JSON bodies and query strings alike.
/// </summary>
public static class ControlCharacters
{
    public const string Reason = "The text contains a control character; only tab and line breaks are allowed.";

    /// <summary>True when <paramref name="text"/> has a C0 control other than tab, line feed, or a carriage return before a line feed.</summary>
    public static bool Contains(ReadOnlySpan<char> text)
    {
        var index = text.IndexOfAnyInRange('\0', '\u001f');
        while (index >= 0)
        {
            var c = text[index];
            var allowed = c is '\t' or '\n' || (c == '\r' && index + 1 < text.Length && text[index + 1] == '\n');
            if (!allowed)
            {
                return true;
            }

            var next = text[(index + 1)..].IndexOfAnyInRange('\0', '\u001f');
            index = next < 0 ? -1 : index + 1 + next;
        }

        return false;
    }

    /// <summary>Rejects control characters in every string of every request body.</summary>
    public static void AddTo(JsonSerializerOptions options) => options.Converters.Add(new RejectingStringConverter());

    /// <summary>Rejects control characters in query-string values before any endpoint sees them.</summary>
    public static WebApplication UseControlCharacterRejection(this WebApplication app)
    {
        app.Use(static async (context, next) =>
        {
            foreach (var (name, values) in context.Request.Query)
            {
                if (values.Any(value => value is not null && Contains(value)))
                {
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = context,
                        ProblemDetails = new Microsoft.AspNetCore.Http.HttpValidationProblemDetails(
                            new Dictionary<string, string[]> { [name] = [Reason] })
                        {
                            Status = StatusCodes.Status400BadRequest,
                            Title = "One or more validation errors occurred.",
                        },
                    });
                    return;
                }
            }

            await next(context);
        });
        return app;
    }

    private sealed class RejectingStringConverter : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var value = reader.GetString();
            // The serializer adds the path of the field to the exception; the handler names it in the 400.
            return value is not null && Contains(value) ? throw new ControlCharacterException() : value;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value);
    }
}

/// <summary>A request body's text field held a control character (see <see cref="ControlCharacters"/>).</summary>
public sealed class ControlCharacterException : JsonException
{
    public ControlCharacterException() : base(ControlCharacters.Reason)
    {
    }

    public ControlCharacterException(string message) : base(message)
    {
    }

    public ControlCharacterException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
