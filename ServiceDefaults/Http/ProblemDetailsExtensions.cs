using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Relief.ServiceDefaults.Http;

public static class ProblemDetailsExtensions
{
    /// <summary>
    /// Every error is an RFC 9457 problem details response. Unreadable request bodies are thrown rather than
    /// answered with a bare 400 so that <see cref="RequestExceptionHandler"/> can name the offending field.
    /// </summary>
    public static TBuilder AddReliefProblemDetails<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions.TryAdd("traceId", System.Diagnostics.Activity.Current?.TraceId.ToHexString()));
        builder.Services.AddExceptionHandler<RequestExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(options =>
        {
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
            ControlCharacters.AddTo(options.SerializerOptions);
        });
        return builder;
    }
}
