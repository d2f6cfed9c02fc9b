using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.FamilySearch.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;
using static Relief.IntegrationTests.FamilySearch.FamilySearchData;

namespace Relief.IntegrationTests.FamilySearch;

/// <summary>
/// Matching (issue 13) against the real database and broker: reports and notices scored as either side arrives or changes
/// (the queue filled by triggers, the background pass), ranked candidates, and staff's decisions. The notices are inserted
/// straight into their table (<see cref="FamilySearchData"/>).
/// </summary>
public sealed class MatchingTests(FamilySearchFixture fixture) : IClassFixture<FamilySearchFixture>
{
    private static readonly TestUser LinyiPoint = TestUsers.PointStaff(TestUsers.LinyiPoint, "140821");

    [Fact]
    public async Task A_report_is_scored_against_the_open_notices_of_its_sex_and_age_and_its_candidates_are_ranked()
    {
        await CloseEverythingOpenAsync(fixture);
        var (trueNotice, _) = await InsertNoticeAsync(fixture, new NoticeSpec());
        var (weaker, _) = await InsertNoticeAsync(fixture, new NoticeSpec(
            AgeLow: 62, AgeHigh: 72, HeightCm: 175, FoundOn: "2020-05-01", FoundCounty: "140105", Accent: null,
            Features: "左眉有一颗痣，驼背", Clothing: "军大衣", Status: "draft"));
        var (otherSex, _) = await InsertNoticeAsync(fixture, new NoticeSpec(Sex: "female"));
        var (withdrawn, _) = await InsertNoticeAsync(fixture, new NoticeSpec(Status: "withdrawn"));
        var (tooYoung, _) = await InsertNoticeAsync(fixture, new NoticeSpec(AgeLow: 20, AgeHigh: 28));

        var (reportId, reportNumber) = await CreateReportAsync(await fixture.Service.ClientForAsync(LinyiPoint), Report());
        Assert.Matches(@"^XR-140821-\d{8}-\d{4}$", reportNumber);

        using var city = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        await WaitForCandidateAsync(city, "reports", reportId, trueNotice, reportId);
        await QueueDrainedAsync(fixture);
        var candidates = await CandidatesAsync(city, "reports", reportId);

        Assert.Equal(trueNotice, candidates[0].GetProperty("noticeId").GetGuid());
        Assert.Equal("proposed", candidates[0].GetProperty("status").GetString());
        var reasons = candidates[0].GetProperty("reasons").EnumerateArray().Select(r => r.GetString()).ToList();
        Assert.Contains("features", reasons);
        Assert.Contains("age", reasons);
        var scores = candidates.Select(c => c.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.All(scores, score => Assert.InRange(score, 0.3, 1));
        var proposed = candidates.Select(c => c.GetProperty("noticeId").GetGuid()).ToList();
        Assert.DoesNotContain(otherSex, proposed);
        Assert.DoesNotContain(withdrawn, proposed);
        Assert.DoesNotContain(tooYoung, proposed);
        if (proposed.Contains(weaker))
        {
            Assert.True(scores[proposed.IndexOf(weaker)] < scores[0]);
        }

        // The notice's station sees the same candidate from its side.
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        var fromNotice = await CandidatesAsync(station, "notices", trueNotice);
        var candidate = Assert.Single(fromNotice);
        Assert.Equal(reportId, candidate.GetProperty("reportId").GetGuid());
        // Each side's coarse items come with it (the report is another county's, out of this station's scope), and no
        // name, description or contact.
        var report = candidate.GetProperty("report");
        Assert.Equal((reportNumber, "male", 42, "140821"), (report.GetProperty("reportNumber").GetString(), report.GetProperty("sex").GetString(),
            report.GetProperty("ageThen").GetInt32(), report.GetProperty("takenInCounty").GetString()));
        Assert.Equal("140802", candidate.GetProperty("notice").GetProperty("stationCounty").GetString());
        Assert.DoesNotContain("王建国", candidate.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("13812345678", candidate.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_notice_drafted_after_the_report_is_scored_against_it_and_a_notice_changed_out_of_reach_loses_the_candidate()
    {
        await CloseEverythingOpenAsync(fixture);
        var (reportId, _) = await CreateReportAsync(await fixture.Service.ClientForAsync(LinyiPoint), Report());
        await QueueDrainedAsync(fixture);
        var (noticeId, _) = await InsertNoticeAsync(fixture, new NoticeSpec(Status: "draft"));

        using var city = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        await WaitForCandidateAsync(city, "notices", noticeId, noticeId, reportId);

        // The station corrects the sex it had wrong: the trigger queues the notice, the pass drops the proposal.
        await TestDatabase.ExecuteAsync(fixture.Service.DatabaseConnectionString, "update notices set sex = 'female' where id = @noticeId", new { noticeId });
        await TestDatabase.EventuallyAsync(async () => (await CandidatesAsync(city, "notices", noticeId)).Count == 0,
            "the changed notice has no candidate left");
    }

    [Fact]
    public async Task Confirming_a_candidate_publishes_the_reunion_withdraws_the_notice_and_matches_the_report_at_once()
    {
        await CloseEverythingOpenAsync(fixture);
        var (noticeId, caseId) = await InsertNoticeAsync(fixture, new NoticeSpec());
        var (reportId, _) = await CreateReportAsync(await fixture.Service.ClientForAsync(LinyiPoint), Report());
        var (otherReport, _) = await CreateReportAsync(await fixture.Service.ClientForAsync(LinyiPoint), Report(features: "左眉有痣，驼背"));
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        var candidate = (await WaitForCandidateAsync(station, "notices", noticeId, noticeId, reportId))
            .Single(c => c.GetProperty("reportId").GetGuid() == reportId);
        var matchId = candidate.GetProperty("matchId").GetGuid();

        using var response = await station.PostAsJsonAsync(new Uri($"/api/family-search/matches/{matchId}/confirm", UriKind.Relative),
            new { comment = "女儿王小红到站辨认，确认是其父亲" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("confirmed", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var reunion = await fixture.Probe.WaitForAsync<ReunionConfirmed>(m => m.MatchId == matchId);
        Assert.Equal((noticeId, reportId, caseId, "140802", "140802", "140821"),
            (reunion.Message.NoticeId, reunion.Message.ReportId, reunion.Message.CaseId, reunion.Message.CountyCode, reunion.Message.StationCounty,
                reunion.Message.ReportCounty));
        var withdrawnEvent = await fixture.Probe.WaitForAsync<NoticeWithdrawn>(m => m.NoticeId == noticeId);
        Assert.Equal(("reunited", true), (withdrawnEvent.Message.Reason, withdrawnEvent.Message.WasPublished));

        var db = fixture.Service.DatabaseConnectionString;
        Assert.Equal("withdrawn/reunited", await TestDatabase.ScalarAsync<string>(db,
            "select status || '/' || withdrawn_reason from notices where id = @noticeId", new { noticeId }));
        Assert.Equal("matched", await TestDatabase.ScalarAsync<string>(db,
            "select status || case when matched_notice_id = @noticeId then '' else '?' end from reports where id = @reportId", new { reportId, noticeId }));
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(db,
            "select count(*) from match_candidates where status = 'proposed' and (notice_id = @noticeId or report_id = @reportId)", new { noticeId, reportId }));
        Assert.Equal(2, await TestDatabase.ScalarAsync<long>(db,
            "select count(*) from audit_log where (action = 'confirm_match' and subject = @Match) or (action = 'withdraw_notice' and subject = @Notice and purpose = 'reunited')",
            new { Match = matchId.ToString(), Notice = noticeId.ToString() }));
        // The comment may name people: sealed at rest.
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(db,
            "select count(*) from match_candidates where id = @matchId and comment_sealed is not null and position(convert_to('王小红', 'UTF8') in comment_sealed) = 0",
            new { matchId }));

        // Decided once: a second confirmation is a conflict, and the other family's report stays open.
        using var again = await station.PostAsJsonAsync(new Uri($"/api/family-search/matches/{matchId}/confirm", UriKind.Relative), new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("open", await TestDatabase.ScalarAsync<string>(db, "select status from reports where id = @otherReport", new { otherReport }));
    }

    [Fact]
    public async Task A_rejected_candidate_stays_rejected_when_its_notice_is_scored_again()
    {
        await CloseEverythingOpenAsync(fixture);
        var (noticeId, _) = await InsertNoticeAsync(fixture, new NoticeSpec());
        var (reportId, _) = await CreateReportAsync(await fixture.Service.ClientForAsync(LinyiPoint), Report());
        using var county = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer());
        var candidate = (await WaitForCandidateAsync(county, "notices", noticeId, noticeId, reportId)).Single();
        var matchId = candidate.GetProperty("matchId").GetGuid();

        using var response = await county.PostAsJsonAsync(new Uri($"/api/family-search/matches/{matchId}/reject", UriKind.Relative),
            new { comment = "家属辨认照片，不是" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await TestDatabase.ExecuteAsync(fixture.Service.DatabaseConnectionString, "update notices set height_cm = 167 where id = @noticeId", new { noticeId });
        await QueueDrainedAsync(fixture);
        var after = Assert.Single(await CandidatesAsync(county, "notices", noticeId));
        Assert.Equal(("rejected", matchId), (after.GetProperty("status").GetString(), after.GetProperty("matchId").GetGuid()));
        Assert.Equal("open", await TestDatabase.ScalarAsync<string>(fixture.Service.DatabaseConnectionString,
            "select status from reports where id = @reportId", new { reportId }));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString,
            "select count(*) from audit_log where action = 'reject_match' and subject = @Match", new { Match = matchId.ToString() }));
    }

    [Fact]
    public async Task Candidates_and_decisions_are_for_those_who_search_within_their_scope()
    {
        await CloseEverythingOpenAsync(fixture);
        var (noticeId, _) = await InsertNoticeAsync(fixture, new NoticeSpec());
        var (reportId, _) = await CreateReportAsync(await fixture.Service.ClientForAsync(LinyiPoint), Report());
        using var city = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var matchId = (await WaitForCandidateAsync(city, "notices", noticeId, noticeId, reportId)).Single().GetProperty("matchId").GetGuid();

        // Point staff register reports: they see their own report's candidates (ids and a score), no notice's (403), and
        // decide nothing (403); another point's staff not even their report's (404). Another county's station: 404.
        using var point = await fixture.Service.ClientForAsync(LinyiPoint);
        Assert.Single(await CandidatesAsync(point, "reports", reportId));
        using var pointNotice = await point.GetAsync(new Uri($"/api/family-search/notices/{noticeId}/candidates", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, pointNotice.StatusCode);
        using var pointConfirm = await point.PostAsJsonAsync(new Uri($"/api/family-search/matches/{matchId}/confirm", UriKind.Relative), new { });
        Assert.Equal(HttpStatusCode.Forbidden, pointConfirm.StatusCode);
        using var otherPoint = await fixture.Service.ClientForAsync(TestUsers.PointStaff("LY-OTHER-POINT", "140821"));
        using var otherPointCandidates = await otherPoint.GetAsync(new Uri($"/api/family-search/reports/{reportId}/candidates", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, otherPointCandidates.StatusCode);
        using var auditor = await fixture.Service.ClientForAsync(TestUsers.Auditor());
        using var auditorConfirm = await auditor.PostAsJsonAsync(new Uri($"/api/family-search/matches/{matchId}/confirm", UriKind.Relative), new { });
        Assert.Equal(HttpStatusCode.Forbidden, auditorConfirm.StatusCode);
        using var elsewhere = await fixture.Service.ClientForAsync(TestUsers.StationStaff("XIAXIAN-STATION", "140828"));
        using var elsewhereNotice = await elsewhere.GetAsync(new Uri($"/api/family-search/notices/{noticeId}/candidates", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, elsewhereNotice.StatusCode);
        using var elsewhereConfirm = await elsewhere.PostAsJsonAsync(new Uri($"/api/family-search/matches/{matchId}/confirm", UriKind.Relative), new { });
        Assert.Equal(HttpStatusCode.NotFound, elsewhereConfirm.StatusCode);

        // The station where the family reported (临猗) sees the candidate from its report's side.
        using var linyiStation = await fixture.Service.ClientForAsync(TestUsers.StationStaff(TestUsers.LinyiStation, "140821"));
        Assert.Single(await CandidatesAsync(linyiStation, "reports", reportId));
        Assert.Equal("proposed", await TestDatabase.ScalarAsync<string>(fixture.Service.DatabaseConnectionString,
            "select status from match_candidates where id = @matchId", new { matchId }));
    }
}
