using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.Intake.Cases;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;

namespace Relief.IntegrationTests.Intake;

public sealed class RegisteringCasesTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    private string Db => fixture.Service.DatabaseConnectionString;

    [Fact]
    public async Task Registering_a_case_saves_it_and_publishes_CaseRegistered_under_the_request_trace()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var client = await fixture.Service.ClientForAsync();
        client.DefaultRequestHeaders.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        var response = await client.PostCaseAsync(CaseRequests.Valid());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<RegisteredCase>();
        Assert.NotNull(created);
        Assert.Equal($"/api/cases/{created.Id}", response.Headers.Location?.ToString());
        Assert.Equal(traceId, created.TraceId);

        var published = await fixture.Probe.WaitForAsync<CaseRegistered>(m => m.CaseId == created.Id);
        Assert.Equal("140802", published.Message.CountyCode);
        Assert.Equal(ReliefNeed.Referral, published.Message.Need);
        Assert.Equal(67, published.Message.EstimatedAge);
        // The number the database counted in the same transaction: what duty desks name the case by.
        Assert.Equal(created.CaseNumber, published.Message.CaseNumber);
        Assert.Equal(traceId, fixture.Probe.TraceIdOf(published));

        Assert.Equal(traceId, await TestDatabase.ScalarAsync<string>(Db, "select trace_id from cases where id = @Id", new { created.Id }));
        await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(Db,
            "select count(*) from outbox_messages where sent_at is null") == 0, "the outbox is empty");
    }

    [Fact]
    public async Task A_registered_case_reads_back_with_the_name_masked()
    {
        using var client = await fixture.Service.ClientForAsync();
        var created = await (await client.PostCaseAsync(CaseRequests.Valid())).Content.ReadFromJsonAsync<RegisteredCase>();

        var summary = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{created!.Id}", UriKind.Relative));

        Assert.Equal("张**", summary.GetProperty("personName").GetString());
        Assert.Equal("WalkIn", summary.GetProperty("channel").GetString());
        Assert.Equal("YH-CC-001", summary.GetProperty("servicePointCode").GetString());
    }

    [Fact]
    public async Task Reading_a_case_that_does_not_exist_returns_404()
    {
        using var client = await fixture.Service.ClientForAsync();

        var response = await client.GetAsync(new Uri($"/api/cases/{Guid.NewGuid()}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"servicePointCode":"BAD-1","countyCode":"999999","channel":"WalkIn","need":"Food"}""", "countyCode")]
    [InlineData("""{"countyCode":"140802","channel":"WalkIn","need":"Food"}""", "servicePointCode")]
    [InlineData("""{"servicePointCode":"BAD 2!","countyCode":"140802","channel":"WalkIn","need":"Food"}""", "servicePointCode")]
    [InlineData("""{"servicePointCode":"BAD-3","countyCode":"140802","need":"Food"}""", "channel")]
    [InlineData("""{"servicePointCode":"BAD-4","countyCode":"140802","channel":"WalkIn","need":"Food","estimatedAge":300}""", "estimatedAge")]
    [InlineData("""{"servicePointCode":"BAD-5","countyCode":"140802","channel":"WalkIn","need":"Food","estimatedAge":"old"}""", "estimatedAge")]
    [InlineData("""{"servicePointCode":"BAD-6","countyCode":"140802","channel":"Teleport","need":"Food"}""", "channel")]
    [InlineData("""{"servicePointCode":"BAD-7","countyCode":"140802","channel":"WalkIn","need":"Food","sex":3}""", "sex")]
    [InlineData("""{"servicePointCode":"BAD-8",""", "body")]
    [InlineData("", "body")]
    public async Task Malformed_input_returns_a_400_problem_naming_the_field_and_saves_nothing(string body, string field)
    {
        using var client = await fixture.Service.ClientForAsync();
        var before = await TestDatabase.ScalarAsync<long>(Db, "select count(*) from cases");

        var response = await client.PostAsync(new Uri("/api/cases", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var reasons),
            $"errors should name '{field}': {problem}");
        Assert.NotEmpty(reasons.EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(before, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from cases"));
    }
}
