using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;

namespace Relief.IntegrationTests.Intake;

/// <summary>Case numbers staff read aloud, a retried submit that never makes a second case, and no silently dropped field.</summary>
public sealed class CaseNumberTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    private string Db => fixture.Service.DatabaseConnectionString;

    private static object ACase(string point = TestUsers.YanhuPoint, string county = "140802", string circumstances = "在车站走失") => new
    {
        servicePointCode = point, countyCode = county, channel = "WalkIn", sex = "Male", estimatedAge = 81, need = "Food", circumstances,
    };

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    [Fact]
    public async Task Fifty_concurrent_registrations_at_one_point_get_fifty_distinct_consecutive_numbers_of_the_county_and_day()
    {
        using var staff = await fixture.Service.ClientForAsync(TestUsers.PointStaff(TestUsers.LinyiPoint, "140821"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => staff.PostAsJsonAsync("/api/cases", ACase(TestUsers.LinyiPoint, "140821"))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var numbers = (await Task.WhenAll(responses.Select(BodyAsync))).Select(b => b.GetProperty("caseNumber").GetString()!).ToList();
        var today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        Assert.All(numbers, n => Assert.StartsWith($"140821-{today}-", n, StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(1, 50), numbers.Select(n => int.Parse(n[^4..], CultureInfo.InvariantCulture)).Order());
        Assert.Equal(50, await TestDatabase.ScalarAsync<long>(Db, "select count(distinct case_number) from cases where county_code = '140821'"));
    }

    [Fact]
    public async Task A_county_day_past_9999_cases_goes_on_with_five_digits_instead_of_repeating_a_number()
    {
        // A province-wide surge: the counter is where it would be after 9,999 cases in 盐湖区 today.
        var today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        using var staff = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer("140802"));
        using (var first = await staff.PostAsJsonAsync("/api/cases", ACase()))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        await TestDatabase.ExecuteAsync(Db, "update case_number_counters set last = 9999 where county_code = '140802'");

        using var next = await staff.PostAsJsonAsync("/api/cases", ACase());
        using var after = await staff.PostAsJsonAsync("/api/cases", ACase());

        Assert.Equal($"140802-{today}-10000", (await BodyAsync(next)).GetProperty("caseNumber").GetString());
        Assert.Equal($"140802-{today}-10001", (await BodyAsync(after)).GetProperty("caseNumber").GetString());
    }

    [Fact]
    public async Task A_retried_submit_with_the_same_key_returns_the_first_case_and_a_double_click_makes_one_case()
    {
        using var staff = await fixture.Service.ClientForAsync();
        var circumstances = $"重试 {Guid.NewGuid():N}";
        HttpRequestMessage Submit(string key, object body) => new(HttpMethod.Post, new Uri("/api/cases", UriKind.Relative))
        {
            Content = JsonContent.Create(body), Headers = { { "Idempotency-Key", key } },
        };

        var key = Guid.NewGuid().ToString();
        using var first = await staff.SendAsync(Submit(key, ACase(circumstances: circumstances)));
        using var retry = await staff.SendAsync(Submit(key, ACase(circumstances: circumstances)));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        var (firstBody, retryBody) = (await BodyAsync(first), await BodyAsync(retry));
        Assert.Equal(firstBody.GetProperty("caseNumber").GetString(), retryBody.GetProperty("caseNumber").GetString());
        Assert.Equal(firstBody.GetProperty("id").GetGuid(), retryBody.GetProperty("id").GetGuid());
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));

        // Two submits at the same instant (a double click): one case, both told its number.
        var doubleKey = Guid.NewGuid().ToString();
        var both = await Task.WhenAll(staff.SendAsync(Submit(doubleKey, ACase(circumstances: circumstances))),
            staff.SendAsync(Submit(doubleKey, ACase(circumstances: circumstances))));
        Assert.All(both, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single((await Task.WhenAll(both.Select(BodyAsync))).Select(b => b.GetProperty("id").GetGuid()).Distinct());

        // The same key for a different registration is refused, and keeps nothing.
        using var other = await staff.SendAsync(Submit(key, ACase(circumstances: circumstances + "（另一人）")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal(2, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from cases where circumstances like @c", new { c = circumstances + "%" }));
    }

    [Fact]
    public async Task The_same_person_registered_again_at_the_point_within_minutes_is_flagged_with_the_earlier_case_number()
    {
        using var staff = await fixture.Service.ClientForAsync();
        var name = $"重{Guid.NewGuid():N}"[..8];
        object Body(string who) => new { servicePointCode = TestUsers.YanhuPoint, countyCode = "140802", channel = "WalkIn", need = "Food", personName = who };

        using var first = await staff.PostAsJsonAsync("/api/cases", Body(name));
        using var again = await staff.PostAsJsonAsync("/api/cases", Body(name));
        using var someoneElse = await staff.PostAsJsonAsync("/api/cases", Body(name + "乙"));

        var firstNumber = (await BodyAsync(first)).GetProperty("caseNumber").GetString();
        var againBody = await BodyAsync(again);
        Assert.Equal(firstNumber, againBody.GetProperty("possibleDuplicateOf").GetString());
        Assert.Equal(JsonValueKind.Null, (await BodyAsync(someoneElse)).GetProperty("possibleDuplicateOf").ValueKind);
        var detail = await staff.GetFromJsonAsync<JsonElement>($"/api/cases/{againBody.GetProperty("id").GetGuid()}");
        Assert.Equal(firstNumber, detail.GetProperty("possibleDuplicateOf").GetString());
    }

    [Fact]
    public async Task A_misspelt_field_is_refused_naming_it_and_nothing_is_saved()
    {
        using var staff = await fixture.Service.ClientForAsync();
        var marker = $"拼错 {Guid.NewGuid():N}";
        var json = $$"""
            {"servicePointCode":"{{TestUsers.YanhuPoint}}","countyCode":"140802","channel":"WalkIn","need":"Food",
             "circumstances":"{{marker}}","persnName":"王大爷"}
            """;

        using var response = await staff.PostAsync(new Uri("/api/cases", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await BodyAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("persnName", out var reasons), problem.ToString());
        Assert.Contains("unknown field", reasons[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from cases where circumstances = @marker", new { marker }));
    }
}
