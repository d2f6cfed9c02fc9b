using System.Diagnostics;
using Aspire.Hosting.Testing;
using Relief.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Relief.EndToEndTests;

[Collection(nameof(SharedStack))]
public sealed class ThinFlowTests(SharedStack shared)
{
    private ReliefStack Stack => shared.Stack;

    [Fact]
    public async Task A_case_registered_at_intake_reaches_the_duty_desk_in_one_trace_across_all_four_services()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var intake = await Stack.CreateClientAsync("intake");
        intake.DefaultRequestHeaders.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        var response = await intake.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
        {
            servicePointCode = TestUsers.YanhuPoint,
            countyCode = "140802",
            channel = "WalkIn",
            sex = "Male",
            estimatedAge = 72,
            need = "Referral",
            circumstances = "Wandering near the high-speed-rail station, cannot say where he lives.",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var caseId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var notification = await EventuallyAsync(() => FirstAsync("notification", $"/api/notifications?caseId={caseId}"));
        Assert.Equal("relief_station", notification.GetProperty("recipientKind").GetString());
        Assert.Equal("140802", notification.GetProperty("recipientCounty").GetString());

        using var intakeRead = await Stack.CreateClientAsync("intake");
        var registeredCase = await intakeRead.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{caseId}", UriKind.Relative));
        // Registry records the person beside the referral, not before it.
        JsonElement? person = await EventuallyAsync(() => FirstAsync("registry", $"/api/persons?caseId={caseId}"));
        var referral = await FirstAsync("referral", $"/api/referrals?caseId={caseId}");

        Assert.NotNull(person);
        Assert.NotNull(referral);
        Assert.Equal(traceId, registeredCase.GetProperty("traceId").GetString());
        Assert.Equal(traceId, person.Value.GetProperty("traceId").GetString());
        Assert.Equal(traceId, referral.Value.GetProperty("traceId").GetString());
        Assert.Equal(traceId, notification.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task Every_service_refuses_a_request_without_a_token()
    {
        foreach (var (service, path) in new[]
        {
            ("intake", $"/api/cases/{Guid.NewGuid()}"),
            ("registry", $"/api/persons/{Guid.NewGuid()}"),
            ("referral", $"/api/referrals/{Guid.NewGuid()}"),
            ("notification", $"/api/notifications?caseId={Guid.NewGuid()}"),
        })
        {
            using var anonymous = Stack.App.CreateHttpClient(service);
            var response = await anonymous.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{service}: {response.StatusCode}");
        }
    }

    /// <summary>The first record the city administrator sees there, or null while there is none (404).</summary>
    [Fact]
    public async Task A_request_body_over_the_limit_is_refused_with_413_before_it_is_read()
    {
        using var intake = await Stack.CreateClientAsync("intake");
        var oversized = new string('x', 200 * 1024);

        var response = await intake.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new { circumstances = oversized });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    private async Task<JsonElement?> FirstAsync(string service, string path)
    {
        using var client = await Stack.CreateClientAsync(service, TestUsers.CityAdministrator());
        var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var items = await response.Content.ReadFromJsonAsync<JsonElement>();
        return items.GetArrayLength() > 0 ? items[0] : null;
    }

    private static async Task<JsonElement> EventuallyAsync(Func<Task<JsonElement?>> read)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await read() is { } found)
            {
                return found;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The case did not reach the duty-desk feed within 60 s.");
    }
}
