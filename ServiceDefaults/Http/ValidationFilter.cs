using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Relief.ServiceDefaults.Http;

/// <summary>Runs the FluentValidation validator of a request body and answers 400 naming each bad field.</summary>
public sealed class ValidationFilter<TRequest>(IValidator<TRequest> validator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.Arguments.OfType<TRequest>().FirstOrDefault();
        if (request is null)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["body"] = ["A request body is required."] });
        }

        var result = await validator.ValidateAsync(request, context.HttpContext.RequestAborted);
        if (!result.IsValid)
        {
            return TypedResults.ValidationProblem(result.Errors
                .GroupBy(error => ValidationFilterExtensions.JsonFieldName(error.PropertyName))
                .ToDictionary(field => field.Key, field => field.Select(error => error.ErrorMessage).ToArray()));
        }

        return await next(context);
    }
}

public static class ValidationFilterExtensions
{
    /// <summary>A property path as the client wrote it in JSON: "Relatives[0].Phone" → "relatives[0].phone".</summary>
    public static string JsonFieldName(string propertyPath) =>
        string.Join('.', propertyPath.Split('.').Select(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName));

    public static RouteHandlerBuilder Validate<TRequest>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<ValidationFilter<TRequest>>().ProducesValidationProblem();
}
