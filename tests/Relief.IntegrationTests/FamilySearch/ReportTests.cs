using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Relief.FamilySearch.Reports;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;
using static Relief.IntegrationTests.FamilySearch.FamilySearchData;

namespace Relief.IntegrationTests.FamilySearch;

/// <summary>寻人登记: families' missing-person reports — input, numbers, retries, scope and the reporter's phone.</summary>
public sealed class ReportTests(FamilySearchFixture fixture) : IClassFixture<FamilySearchFixture>
{
    private static readonly Uri Reports = new("/api/family-search/reports", UriKind.Relative);

    [Fact]
    public async Task A_report_with_bad_input_is_refused_naming_each_field()
    {
        using var client = await fixture.Service.ClientForAsync();
        using var response = await client.PostAsJsonAsync(Reports, new
        {
            channel = "email",
            sought = new { sex = "M", ageThen = 130, lastSeenCounty = "Linyi", heightCm = 20, features = new string('痣', 501) },
            reporter = new { name = " ", phone = "call me" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(
            ["channel", "reporter.name", "reporter.phone", "reporter.relation", "sought.ageThen", "sought.features", "sought.heightCm",
             "sought.lastSeenCounty", "sought.sex", "sought.yearLastSeen"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));

        // Point staff take reports at their own point, not another's.
        using var elsewhere = await client.PostAsJsonAsync(Reports, Report(servicePointCode: TestUsers.LinyiPoint));
        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
        Assert.True((await elsewhere.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("servicePointCode", out _));

        using var wrongType = await client.PostAsync(Reports, JsonContent.Create(new { channel = "point", sought = new { ageThen = "forty" } }));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString, "select count(*) from reports where sex = 'M'"));
    }

    [Fact]
    public async Task A_retried_report_with_the_same_key_is_kept_once_and_the_key_cannot_be_reused_for_another()
    {
        using var client = await fixture.Service.ClientForAsync();
        var key = Guid.NewGuid().ToString();
        var first = await CreateReportAsync(client, Report(servicePointCode: TestUsers.YanhuPoint, phone: "13900001111"), key);
        var second = await CreateReportAsync(client, Report(servicePointCode: TestUsers.YanhuPoint, phone: "13900001111"), key);

        Assert.Equal(first, second);
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString,
            "select count(*) from report_idempotency_keys where key = @key", new { key }));
        using var other = new HttpRequestMessage(HttpMethod.Post, Reports) { Content = JsonContent.Create(Report(servicePointCode: TestUsers.YanhuPoint, phone: "13900002222")) };
        other.Headers.Add("Idempotency-Key", key);
        using var reused = await client.SendAsync(other);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
    }

    [Fact]
    public async Task Reports_are_seen_by_who_took_them_by_their_countys_station_and_office_and_by_the_city_only()
    {
        var taker = TestUsers.PointStaff(TestUsers.LinyiPoint, "140821");
        var (id, _) = await CreateReportAsync(await fixture.Service.ClientForAsync(taker), Report());

        async Task<HttpStatusCode> Get(TestUser user)
        {
            using var client = await fixture.Service.ClientForAsync(user);
            using var response = await client.GetAsync(new Uri($"/api/family-search/reports/{id}", UriKind.Relative));
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await Get(taker));
        Assert.Equal(HttpStatusCode.OK, await Get(TestUsers.StationStaff(TestUsers.LinyiStation, "140821")));
        Assert.Equal(HttpStatusCode.OK, await Get(TestUsers.CountyOfficer("140821")));
        Assert.Equal(HttpStatusCode.OK, await Get(TestUsers.CityAdministrator()));
        Assert.Equal(HttpStatusCode.OK, await Get(TestUsers.Auditor()));
        Assert.Equal(HttpStatusCode.NotFound, await Get(TestUsers.PointStaff()));
        Assert.Equal(HttpStatusCode.NotFound, await Get(TestUsers.StationStaff()));
        Assert.Equal(HttpStatusCode.NotFound, await Get(TestUsers.CountyOfficer("140802")));
        Assert.Equal(HttpStatusCode.NotFound, await Get(TestUsers.HotlineOperator()));

        // The hotline's own reports are its operators' list; an auditor registers nothing.
        using var hotline = await fixture.Service.ClientForAsync(TestUsers.HotlineOperator());
        var (hotlineReport, _) = await CreateReportAsync(hotline, Report(channel: "hotline", servicePointCode: null));
        var listed = (await hotline.GetFromJsonAsync<JsonElement>(new Uri("/api/family-search/reports?status=open", UriKind.Relative)))
            .GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetGuid()).ToList();
        Assert.Contains(hotlineReport, listed);
        Assert.DoesNotContain(id, listed);
        using var auditor = await fixture.Service.ClientForAsync(TestUsers.Auditor());
        using var auditorCreates = await auditor.PostAsJsonAsync(Reports, Report());
        Assert.Equal(HttpStatusCode.Forbidden, auditorCreates.StatusCode);
    }

    [Fact]
    public async Task The_reporters_phone_is_masked_and_shown_in_full_only_for_a_stated_purpose_which_is_audited()
    {
        var (id, number) = await CreateReportAsync(await fixture.Service.ClientForAsync(TestUsers.StationStaff()), Report(channel: "station", servicePointCode: null, phone: "13812345678"));
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());

        var masked = await station.GetFromJsonAsync<JsonElement>(new Uri($"/api/family-search/reports/{id}", UriKind.Relative));
        Assert.Equal("138****5678", masked.GetProperty("reporter").GetProperty("phone").GetString());
        Assert.Equal(number, masked.GetProperty("reportNumber").GetString());
        Assert.Equal("王建国", masked.GetProperty("sought").GetProperty("name").GetString());
        var ageNow = masked.GetProperty("sought").GetProperty("ageLowNow").GetInt32();
        Assert.Equal(42 + DateTime.UtcNow.Year - 1996 - 2, ageNow);

        using var noPurpose = await station.GetAsync(new Uri($"/api/family-search/reports/{id}?reveal=true", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, noPurpose.StatusCode);
        var revealed = await station.GetFromJsonAsync<JsonElement>(new Uri($"/api/family-search/reports/{id}?reveal=true&purpose=通知家属到站辨认", UriKind.Relative));
        Assert.Equal("13812345678", revealed.GetProperty("reporter").GetProperty("phone").GetString());
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString,
            "select count(*) from audit_log where action = 'reveal_reporter_phone' and subject = @Id and purpose = '通知家属到站辨认'", new { Id = id.ToString() }));

        // At rest the phone and the name are sealed: not in any clear column.
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString,
            "select count(*) from reports r where r.id = @id and (r::text like '%13812345678%' or r::text like '%王建国%')", new { id }));
    }

    [Fact]
    public async Task A_report_matched_longer_ago_than_the_retention_period_keeps_only_its_clear_items()
    {
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        var (old, _) = await CreateReportAsync(station, Report(channel: "station", servicePointCode: null));
        var (recent, _) = await CreateReportAsync(station, Report(channel: "station", servicePointCode: null));
        await TestDatabase.ExecuteAsync(fixture.Service.DatabaseConnectionString, """
            update reports set status = 'matched', matched_at = now() - interval '4 years' where id = @old;
            update reports set status = 'matched', matched_at = now() - interval '1 year' where id = @recent;
            """, new { old, recent });

        await fixture.Service.Services.GetRequiredService<Relief.FamilySearch.Retention.FamilySearchRetention>().AnonymiseExpiredAsync(CancellationToken.None);

        Assert.Equal("erased/kept", await TestDatabase.ScalarAsync<string>(fixture.Service.DatabaseConnectionString, """
            select (select case when sought_sealed is null and reporter_sealed is null and anonymised_at is not null then 'erased' else 'kept' end from reports where id = @old)
                || '/' || (select case when sought_sealed is null then 'erased' else 'kept' end from reports where id = @recent)
            """, new { old, recent }));
        var page = await station.GetFromJsonAsync<JsonElement>(new Uri($"/api/family-search/reports/{old}", UriKind.Relative));
        Assert.Equal(JsonValueKind.Null, page.GetProperty("sought").GetProperty("name").ValueKind);
        Assert.Equal(("male", "matched"), (page.GetProperty("sought").GetProperty("sex").GetString(), page.GetProperty("status").GetString()));
    }
}
