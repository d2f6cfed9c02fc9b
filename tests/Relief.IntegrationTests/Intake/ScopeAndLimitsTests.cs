using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Relief.Intake;
using Relief.Intake.Cases;
using Relief.Intake.Retention;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;

namespace Relief.IntegrationTests.Intake;

public sealed class ScopeAndLimitsTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    [Fact]
    public async Task Point_staff_register_only_at_their_own_point_and_hotline_operators_only_hotline_cases()
    {
        using var linyiStaff = await fixture.Service.ClientForAsync(TestUsers.PointStaff(TestUsers.LinyiPoint, "140821"));
        using var hotline = await fixture.Service.ClientForAsync(TestUsers.HotlineOperator());

        var atAnotherPoint = await linyiStaff.PostCaseAsync(CaseRequests.Valid());
        var walkInByHotline = await hotline.PostCaseAsync(CaseRequests.Valid());
        var hotlineCase = await hotline.PostCaseAsync(new
        {
            // A hotline case names the embedded point that takes the person in, in any county.
            servicePointCode = TestUsers.LinyiPoint, countyCode = "140821", channel = "Hotline", need = "Referral",
        });

        Assert.Equal(HttpStatusCode.Forbidden, atAnotherPoint.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, walkInByHotline.StatusCode);
        Assert.Equal(HttpStatusCode.Created, hotlineCase.StatusCode);
    }

    [Fact]
    public async Task Too_many_requests_from_one_user_get_a_429_problem_with_retry_after()
    {
        await using var limited = new ServiceHost<IntakeApi>("intakedb", TestInfrastructure.NewName("intakedb"),
            fixture.VirtualHost.AmqpUri, new Dictionary<string, string> { ["RequestProtection:PermitsPerMinute"] = "3" });
        using var staff = await limited.ClientForAsync(TestUsers.PointStaff());
        using var otherUser = await limited.ClientForAsync(TestUsers.CountyOfficer());

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            responses.Add(await staff.GetAsync(new Uri($"/api/cases/{Guid.NewGuid()}", UriKind.Relative)));
        }

        Assert.All(responses.Take(3), r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, responses[3].StatusCode);
        Assert.Equal("application/problem+json", responses[3].Content.Headers.ContentType?.MediaType);
        Assert.NotNull(responses[3].Headers.RetryAfter);
        // The limit is per user: another user is not held back.
        Assert.Equal(HttpStatusCode.NotFound, (await otherUser.GetAsync(new Uri($"/api/cases/{Guid.NewGuid()}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Responses_carry_security_headers_and_are_not_cached()
    {
        using var staff = await fixture.Service.ClientForAsync(TestUsers.PointStaff());

        var response = await staff.GetAsync(new Uri($"/api/cases/{Guid.NewGuid()}", UriKind.Relative));

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closed_cases_past_the_retention_period_are_anonymised_and_others_are_not()
    {
        using var staff = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        async Task<Guid> Register() => (await (await staff.PostCaseAsync(new
        {
            servicePointCode = TestUsers.YanhuPoint, countyCode = "140802", channel = "WalkIn", need = "Food",
            personName = "王五", idNumber = "440524198001010013", circumstances = "Hungry, lost wallet.",
            birthDate = "1980-01-01", householdPlace = "广东省汕头市", place = "运城站", belongings = "一个背包",
            phone = "13800000000", notes = "needs insulin",
        })).Content.ReadFromJsonAsync<RegisteredCase>())!.Id;
        var expired = await Register();
        var recentlyClosed = await Register();
        var open = await Register();
        await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString, """
            with closed as (
                update cases set closed_at = case when id = @expired then now() - interval '4 years' else now() - interval '1 day' end
                where id in (@expired, @recentlyClosed) returning 1)
            select count(*) from closed
            """, new { expired, recentlyClosed });

        var anonymised = await fixture.Service.Services.GetRequiredService<CaseRetention>().AnonymiseExpiredAsync(CancellationToken.None);

        Assert.True(anonymised >= 1);
        const string Remaining = """
            select count(*) from cases
            where id = @Id and (person_name is not null or circumstances is not null or id_number_sealed is not null
                                or id_number_hash is not null or id_number_masked is not null or birth_date is not null
                                or household_place is not null or place is not null or belongings is not null
                                or contacts_sealed is not null or notes_sealed is not null)
            """;
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString, Remaining, new { Id = expired }));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString, Remaining, new { Id = recentlyClosed }));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString, Remaining, new { Id = open }));
        var summary = await staff.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{expired}", UriKind.Relative));
        Assert.True(summary.GetProperty("anonymised").GetBoolean());
        Assert.Equal("140802", summary.GetProperty("countyCode").GetString());
        // The age the statistics need outlives the birth date it came from.
        Assert.True(await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString,
            "select coalesce(estimated_age, 0)::bigint from cases where id = @Id", new { Id = expired }) >= 45);
    }
}
