using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;

namespace Relief.IntegrationTests.Referral;

public sealed class StayExtensionTests(ReferralFixture fixture) : IClassFixture<ReferralFixture>
{
    private string Db => fixture.Service.DatabaseConnectionString;

    private static Uri Extensions(Guid referralId) => new($"/api/referrals/{referralId}/extensions", UriKind.Relative);

    private static Uri Decision(Guid extensionId, string decision) => new($"/api/extensions/{extensionId}/{decision}", UriKind.Relative);

    private async Task<(Referrals.Opened Referral, DateTimeOffset CareUntil)> InCareAsync(HttpClient station)
    {
        var referral = await Referrals.OpenAsync(fixture.Service.Services);
        var accepted = await Referrals.ActOkAsync(station, referral.ReferralId, "accept");
        return (referral, accepted.GetProperty("careUntil").GetDateTimeOffset());
    }

    private static async Task<Guid> AskAsync(HttpClient station, Guid referralId, int days)
    {
        using var response = await station.PostAsJsonAsync(Extensions(referralId), new { days, reason = "寻亲中 / the family is being traced" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static (string?, string?, string?) Requester(JsonElement extension) => (extension.GetProperty("requestedBy").GetString(),
        extension.GetProperty("requestedByName").GetString(), extension.GetProperty("requestedByOffice").GetString());

    private static (string?, string?, string?) Decider(JsonElement extension) => (extension.GetProperty("decidedBy").GetString(),
        extension.GetProperty("decidedByName").GetString(), extension.GetProperty("decidedByOffice").GetString());

    [Fact]
    public async Task An_approved_extension_moves_the_end_of_care_and_its_deadline()
    {
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        using var county = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer());
        var (referral, careUntil) = await InCareAsync(station);

        var extensionId = await AskAsync(station, referral.ReferralId, 7);

        var queue = await county.GetFromJsonAsync<JsonElement>(new Uri("/api/extensions?status=pending", UriKind.Relative));
        var waiting = Assert.Single(queue.EnumerateArray(), e => e.GetProperty("id").GetGuid() == extensionId);
        Assert.Equal((referral.ReferralId, referral.CaseId, 7, "pending", "140802"), (waiting.GetProperty("referralId").GetGuid(),
            waiting.GetProperty("caseId").GetGuid(), waiting.GetProperty("days").GetInt32(), waiting.GetProperty("status").GetString(),
            waiting.GetProperty("receivingStationCounty").GetString()));
        var stationStaff = (await SharedAuthority.SignIn.SubjectAsync(TestUsers.StationStaff()), await SharedAuthority.SignIn.NameAsync(TestUsers.StationStaff()),
            (string?)TestUsers.YanhuStation);
        var countyOfficer = (await SharedAuthority.SignIn.SubjectAsync(TestUsers.CountyOfficer()), await SharedAuthority.SignIn.NameAsync(TestUsers.CountyOfficer()),
            (string?)TestUsers.CountyOfficer().Office);
        // The approval queue says who asked, by name and office, so the county knows whom to call.
        Assert.Equal(stationStaff, Requester(waiting));
        using (var second = await station.PostAsJsonAsync(Extensions(referral.ReferralId), new { days = 3, reason = "再延 / more" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        }

        using var approved = await county.PostAsJsonAsync(Decision(extensionId, "approve"), new { comment = "同意 / agreed" });

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("approved", (await approved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var detail = await Referrals.DetailAsync(station, referral.ReferralId);
        Assert.Equal(careUntil.AddDays(7), detail.GetProperty("careUntil").GetDateTimeOffset());
        var extension = Assert.Single(detail.GetProperty("extensions").EnumerateArray());
        Assert.Equal("approved", extension.GetProperty("status").GetString());
        Assert.Equal((stationStaff, countyOfficer), (Requester(extension), Decider(extension)));
        Assert.Equal([("extension_requested", stationStaff), ("extension_approved", countyOfficer)], detail.GetProperty("history").EnumerateArray()
            .Where(h => h.GetProperty("action").GetString()!.StartsWith("extension_", StringComparison.Ordinal))
            .Select(h => (h.GetProperty("action").GetString(),
                (h.GetProperty("by").GetString(), h.GetProperty("byName").GetString(), h.GetProperty("byOffice").GetString()))));
        // Version unchanged: the station goes on acting on the version it read.
        Assert.Equal(2, detail.GetProperty("version").GetInt32());
        Assert.Equal(careUntil.AddDays(7).UtcDateTime, await TestDatabase.ScalarAsync<DateTime>(Db, """
            select due_at from deadlines where referral_id = @ReferralId and kind = 'care_days' and fired_at is null and cancelled_at is null
            """, referral));
        using var twice = await county.PostAsJsonAsync(Decision(extensionId, "refuse"), new { comment = "改主意 / changed my mind" });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.DoesNotContain((await county.GetFromJsonAsync<JsonElement>(new Uri("/api/extensions", UriKind.Relative))).EnumerateArray(),
            e => e.GetProperty("id").GetGuid() == extensionId);
    }

    [Fact]
    public async Task A_refusal_needs_a_comment_and_leaves_the_end_of_care_where_it_was()
    {
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        using var city = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var (referral, careUntil) = await InCareAsync(station);
        var extensionId = await AskAsync(station, referral.ReferralId, 30);

        using (var bare = await city.PostAsJsonAsync(Decision(extensionId, "refuse"), new { }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
            Assert.True((await bare.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("comment", out _));
        }

        using var refused = await city.PostAsJsonAsync(Decision(extensionId, "refuse"), new { comment = "请联系户籍地安置 / arrange placement at home" });

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var extension = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("refused", "请联系户籍地安置 / arrange placement at home"),
            (extension.GetProperty("status").GetString(), extension.GetProperty("decisionComment").GetString()));
        Assert.Equal(careUntil, (await Referrals.DetailAsync(station, referral.ReferralId)).GetProperty("careUntil").GetDateTimeOffset());
        // Decided: the station may ask again.
        await AskAsync(station, referral.ReferralId, 5);
    }

    [Fact]
    public async Task Only_a_stay_in_care_is_extended_and_only_by_the_stations_county_or_the_city()
    {
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        using var otherCounty = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer("140821"));
        using var point = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        var notAccepted = await Referrals.OpenAsync(fixture.Service.Services);

        using (var early = await station.PostAsJsonAsync(Extensions(notAccepted.ReferralId), new { days = 5, reason = "太早 / too early" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
            Assert.Equal("requested", (await early.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("currentStatus").GetString());
        }

        var (referral, _) = await InCareAsync(station);
        using (var tooLong = await station.PostAsJsonAsync(Extensions(referral.ReferralId), new { days = 91, reason = "很久 / long" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        }

        using (var noReason = await station.PostAsJsonAsync(Extensions(referral.ReferralId), new { days = 5 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        }

        using (var byPoint = await point.PostAsJsonAsync(Extensions(referral.ReferralId), new { days = 5, reason = "点 / point" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, byPoint.StatusCode);
        }

        var extensionId = await AskAsync(station, referral.ReferralId, 5);
        using (var byStation = await station.PostAsJsonAsync(Decision(extensionId, "approve"), new { }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, byStation.StatusCode);
        }

        using (var elsewhere = await otherCounty.PostAsJsonAsync(Decision(extensionId, "approve"), new { }))
        {
            Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        }

        Assert.DoesNotContain((await otherCounty.GetFromJsonAsync<JsonElement>(new Uri("/api/extensions", UriKind.Relative))).EnumerateArray(),
            e => e.GetProperty("id").GetGuid() == extensionId);
        await Referrals.ActOkAsync(station, referral.ReferralId, "complete");
        using var county = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer());
        using var afterLeaving = await county.PostAsJsonAsync(Decision(extensionId, "approve"), new { });
        Assert.Equal(HttpStatusCode.Conflict, afterLeaving.StatusCode);
    }
}
