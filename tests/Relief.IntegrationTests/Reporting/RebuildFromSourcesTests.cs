using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Relief.IntegrationTests.Infrastructure;
using Relief.IntegrationTests.Referral;
using Relief.Testing;

namespace Relief.IntegrationTests.Reporting;

/// <summary>
/// The whole flow with the real sources: cases registered at Intake, classified and referred by Referral, a point at
/// Registry — Reporting's numbers from the live feed, then the same numbers after a rebuild that empties the read model
/// and replays Intake's, Referral's and Registry's own history endpoints.
/// </summary>
public sealed class RebuildFromSourcesTests(WholeFlowFixture flow) : IClassFixture<WholeFlowFixture>
{
    [Fact]
    public async Task A_rebuild_from_the_real_sources_history_gives_the_numbers_of_the_live_feed()
    {
        using (var officer = await flow.Registry.ClientForAsync(TestUsers.CountyOfficer()))
        using (var created = await officer.PostAsJsonAsync(new Uri("/api/service-points", UriKind.Relative), new
        {
            code = TestUsers.YanhuPoint, name = "统计重建测试服务点", kind = "community_center", countyCode = "140802", address = "测试路 1 号",
            longitude = 111.0, latitude = 35.02, openingHours = new { alwaysOpen = true },
        }))
        {
            created.EnsureSuccessStatusCode();
        }

        var accepted = await flow.RegisterReferredCaseAsync("统计重建甲", WholeFlowFixture.NewIdNumber());
        var rejected = await flow.RegisterReferredCaseAsync("统计重建乙", null);
        // No document: at the station a family-search notice is drafted, published and — the family found — withdrawn.
        var unidentified = await flow.RegisterReferredCaseAsync("统计重建丙", null);
        using (var city = await flow.Referral.ClientForAsync(TestUsers.CityAdministrator()))
        {
            await Referrals.ActOkAsync(city, accepted.ReferralId, "accept");
            await Referrals.ActOkAsync(city, accepted.ReferralId, "complete");
            await Referrals.ActOkAsync(city, rejected.ReferralId, "reject");
            await Referrals.ActOkAsync(city, unidentified.ReferralId, "accept");
        }

        await PublishAndReuniteNoticeAsync(unidentified.CaseId);

        // Helped at the point: a document given, food; its identity checked, relief entered, closed by the point.
        using var staff = await flow.Intake.ClientForAsync(TestUsers.PointStaff());
        using var registered = await staff.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
        {
            servicePointCode = TestUsers.YanhuPoint, countyCode = "140802", channel = "WalkIn", need = "Food",
            idNumber = WholeFlowFixture.NewIdNumber(),
        });
        registered.EnsureSuccessStatusCode();
        var helped = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using (var confirmed = await staff.PostAsJsonAsync(new Uri($"/api/cases/{helped}/identity", UriKind.Relative), new { method = "id_card_checked" }))
        {
            confirmed.EnsureSuccessStatusCode();
        }

        using (var point = await flow.Referral.ClientForAsync(TestUsers.PointStaff()))
        {
            await TestDatabase.EventuallyAsync(async () =>
            {
                using var food = await point.PutAsJsonAsync(new Uri($"/api/cases/{helped}/relief/{Guid.NewGuid()}", UriKind.Relative), new { kind = "food" });
                return food.StatusCode == HttpStatusCode.Created;
            }, "Referral knows the case helped at the point and records its food");
        }

        await TestDatabase.EventuallyAsync(async () =>
        {
            using var closed = await staff.PostAsJsonAsync(new Uri($"/api/cases/{helped}/close", UriKind.Relative), new { outcome = "relief_given" });
            return closed.IsSuccessStatusCode;
        }, "the point closes the case helped there");

        using var reporting = await flow.Reporting.ClientForAsync(TestUsers.CityAdministrator());
        reporting.Timeout = TimeSpan.FromMinutes(5); // the rebuild answers when it has committed
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var period = $"from={today.AddDays(-1):yyyy-MM-dd}&to={today.AddDays(1):yyyy-MM-dd}";
        async Task<JsonObject> SummaryAsync() =>
            (await reporting.GetFromJsonAsync<JsonObject>(new Uri($"/api/statistics/summary?{period}", UriKind.Relative)))!;
        static int Total(JsonObject summary, string name) => summary["totals"]![name]!.GetValue<int>();

        // Every event of the three cases in the read model (reclassifications may follow the identity check: the read is
        // taken once two in a row agree, not at the first that has the counts).
        JsonObject? live = null;
        await TestDatabase.EventuallyAsync(async () =>
        {
            var summary = await SummaryAsync();
            var complete = Total(summary, "cases") == 4 && Total(summary, "referrals") == 3 && Total(summary, "accepted") == 2
                && Total(summary, "rejected") == 1
                && summary["familySearch"]!["notices"]!.GetValue<int>() == 1 && summary["familySearch"]!["reunions"]!.GetValue<int>() == 1 && Total(summary, "completed") == 1 && Total(summary, "reliefActions") == 1
                && summary["byOutcome"]!.AsArray().Any(row => row!["outcome"]!.GetValue<string>() == "relief_given")
                && summary["byPointKind"]!.AsArray().All(row => row!["kind"]!.GetValue<string>() == "community_center");
            var settled = complete && live is not null && live.ToJsonString() == summary.ToJsonString();
            live = complete ? summary : null;
            return settled;
        }, "Reporting has every event of the four cases", TimeSpan.FromSeconds(90));
        var familySearch = live!["familySearch"]!;
        Assert.Equal(1, familySearch["published"]!.GetValue<int>());
        Assert.Equal(1, familySearch["publishedWithin24Hours"]!.GetValue<int>());
        Assert.Equal(1.0, familySearch["shareWithin24Hours"]!.GetValue<double>());
        Assert.Equal(0, familySearch["overdue"]!.GetValue<int>());

        using var rebuilt = await reporting.PostAsync(new Uri("/api/statistics/rebuild", UriKind.Relative), null);
        var text = await rebuilt.Content.ReadAsStringAsync();
        Assert.True(rebuilt.StatusCode == HttpStatusCode.OK, $"{(int)rebuilt.StatusCode} {text}");

        var fromHistory = await SummaryAsync();
        Assert.Equal(live!.ToJsonString(), fromHistory.ToJsonString());
    }

    /// <summary>
    /// The notice drafted for the case at the station: completed and submitted by one staff member, approved (published)
    /// by another, then withdrawn because the family was found.
    /// </summary>
    private async Task PublishAndReuniteNoticeAsync(Guid caseId)
    {
        var drafted = await flow.Probe.WaitForAsync<Relief.FamilySearch.Contracts.NoticeDrafted>(n => n.CaseId == caseId);
        var notice = $"/api/family-search/notices/{drafted.Message.NoticeId}";
        using var station = await flow.FamilySearch.ClientForAsync(TestUsers.StationStaff());
        (await station.PutAsJsonAsync(new Uri(notice, UriKind.Relative), new
        {
            version = 1, sex = "male", ageLow = 65, ageHigh = 75, heightCm = 165, build = "slim", ethnicity = "汉族", accent = "山西口音",
            foundOn = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            foundCounty = "140802",
            details = new { features = "左眉有痣", clothing = "蓝色棉袄", foundPlace = "盐湖区汽车站", contact = "盐湖区救助管理站 0359-0000000" },
        })).EnsureSuccessStatusCode();
        (await station.PostAsJsonAsync(new Uri($"{notice}/submit", UriKind.Relative), new { version = 2 })).EnsureSuccessStatusCode();

        var (userName, password) = await SharedAuthority.SignIn.NewUserAsync(TestUsers.StationStaff());
        using var authority = SharedAuthority.Instance.CreateClient();
        using var approver = flow.FamilySearch.CreateClient();
        approver.DefaultRequestHeaders.Authorization = new("Bearer", await IdentityAuthorityClient.GetAccessTokenAsync(authority, userName, password));
        (await approver.PostAsJsonAsync(new Uri($"{notice}/approve", UriKind.Relative), new { version = 3 })).EnsureSuccessStatusCode();
        (await station.PostAsJsonAsync(new Uri($"{notice}/withdraw", UriKind.Relative), new { version = 4, reason = "reunited", comment = "家属认领" }))
            .EnsureSuccessStatusCode();
    }
}
