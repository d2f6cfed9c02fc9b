using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Relief.ServiceDefaults.Http;

namespace Relief.UnitTests;

public sealed class RequestErrorsTests
{
    [Theory]
    [InlineData("$.estimatedAge", "estimatedAge")]
    [InlineData("$.relatives[0].phone", "relatives[0].phone")]
    [InlineData("$", "body")]
    [InlineData(null, "body")]
    public void A_JSON_path_becomes_the_field_name_the_client_wrote(string? path, string field) =>
        Assert.Equal(field, RequestExceptionHandler.JsonPathToField(path));

    [Theory]
    [InlineData("CountyCode", "countyCode")]
    [InlineData("Relatives[0].Phone", "relatives[0].phone")]
    public void A_validation_error_names_the_field_as_the_client_wrote_it(string property, string field) =>
        Assert.Equal(field, ValidationFilterExtensions.JsonFieldName(property));

    [Fact]
    public void An_unreadable_value_names_its_field()
    {
        var exception = new BadHttpRequestException("Failed to read parameter",
            new JsonException("The JSON value could not be converted.", "$.channel", 1, 20));

        var (field, reason) = RequestExceptionHandler.Describe(exception);

        Assert.Equal("channel", field);
        Assert.Contains("channel", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_query_parameter_that_fails_to_bind_is_named()
    {
        var exception = new BadHttpRequestException("""Failed to bind parameter "Guid caseId" from "abc".""");

        Assert.Equal("caseId", RequestExceptionHandler.Describe(exception).Field);
    }

    [Fact]
    public void A_missing_body_is_reported_as_the_body()
    {
        var exception = new BadHttpRequestException("Implicit body inferred for parameter \"request\" but no body was provided.");

        Assert.Equal("body", RequestExceptionHandler.Describe(exception).Field);
    }
}
