using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;
using Relief.FamilySearch.Contracts;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.IntegrationTests.Referral;
using Relief.Referral.Contracts;
using Relief.Testing;

namespace Relief.IntegrationTests.FamilySearch;

/// <summary>
/// 寻亲公告: drafted when an unidentified person enters a station (the referral accepted), due within 24 hours on the
/// injected clock, completed, submitted, approved by another pair of eyes, published, withdrawn — scoped to the station.
/// </summary>
public sealed class NoticeTests(NoticeFixture fixture) : IClassFixture<NoticeFixture>
{
    private static readonly TestUser Station = TestUsers.StationStaff();

    private sealed record Drafted(Guid NoticeId, Guid CaseId, Guid ReferralId, DateTimeOffset AcceptedAt);

    /// <summary>A real case at the shared Intake (35, estimated, ill), its referral accepted by 盐湖区's station now.</summary>
    private async Task<(Guid CaseId, ReferralAccepted Accepted, Guid MessageId)> AcceptAsync(string? identityMethod = null)
    {
        var (caseId, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(situations: ["ill_or_injured", "wandering"], needs: ["family_search"]));
        if (identityMethod is not null)
        {
            await IntakeCases.ConfirmIdentityAsync(caseId, identityMethod);
        }

        var accepted = new ReferralAccepted
        {
            ReferralId = Guid.NewGuid(), CaseId = caseId, CountyCode = "140802", ReceivingStationCounty = "140802", Sequence = 2,
            At = fixture.Clock.GetUtcNow(),
        };
        var messageId = Guid.NewGuid();
        await fixture.Probe.PublishAsync(accepted, messageId);
        await fixture.Service.Consumed.WaitForAsync(messageId);
        return (caseId, accepted, messageId);
    }

    private async Task<Drafted> DraftAsync()
    {
        var (caseId, accepted, _) = await AcceptAsync();
        var noticeId = await TestDatabase.ScalarAsync<Guid>(fixture.Service.DatabaseConnectionString,
            "select id from notices where referral_id = @ReferralId", new { accepted.ReferralId });
        return new Drafted(noticeId, caseId, accepted.ReferralId, accepted.At);
    }

    private Task<long> CountAsync(string sql, object parameters) =>
        TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString, sql, parameters);

    private async Task<JsonElement> GetAsync(Guid noticeId, TestUser? user = null)
    {
        using var client = await fixture.Service.ClientForAsync(user ?? Station);
        return await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/family-search/notices/{noticeId}", UriKind.Relative));
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object body, TestUser? user = null)
    {
        using var client = await fixture.Service.ClientForAsync(user ?? Station);
        using var response = await client.SendAsync(new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) });
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static object Complete(int version) => new
    {
        version, sex = "male", ageLow = 30, ageHigh = 40, heightCm = 168, build = "slim", ethnicity = "汉族", accent = "山西口音",
        foundOn = "2026-03-01", foundCounty = "140802",
        details = new
        {
            health = "腿部有旧伤", mentalState = "言语不清", features = "左眉有痣", clothing = "蓝色棉袄，黑色布鞋",
            foundPlace = "盐湖区火车站广场", contact = "运城市盐湖区救助管理站 0359-0000000",
        },
    };

    /// <summary>Completed and submitted by the station's first staff member: in review at version 3.</summary>
    private async Task<Drafted> InReviewAsync()
    {
        var drafted = await DraftAsync();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, $"/api/family-search/notices/{drafted.NoticeId}", Complete(1))).Status);
        var (status, body) = await SendAsync(HttpMethod.Post, $"/api/family-search/notices/{drafted.NoticeId}/submit", new { version = 2 });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("in_review", body.GetProperty("status").GetString());
        return drafted;
    }

    /// <summary>Another staff member of the same station (a user of their own, signed in with a password).</summary>
    private static async Task<HttpClient> SecondStationStaffAsync(ServiceHost<Relief.FamilySearch.FamilySearchApi> service)
    {
        var (userName, password) = await SharedAuthority.SignIn.NewUserAsync(Station);
        using var authority = SharedAuthority.Instance.CreateClient();
        var token = await IdentityAuthorityClient.GetAccessTokenAsync(authority, userName, password);
        var client = service.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    [Fact]
    public async Task A_notice_is_drafted_once_when_an_unidentified_persons_referral_is_accepted_even_when_redelivered()
    {
        var (caseId, accepted, messageId) = await AcceptAsync();
        await fixture.Probe.PublishAsync(accepted, messageId);
        await fixture.Service.Consumed.WaitForAsync(messageId, deliveries: 2);
        // A second acceptance for the case (another referral) while its notice is out adds none either.
        var again = accepted with { ReferralId = Guid.NewGuid(), At = fixture.Clock.GetUtcNow() };
        var againId = Guid.NewGuid();
        await fixture.Probe.PublishAsync(again, againId);
        await fixture.Service.Consumed.WaitForAsync(againId);

        Assert.Equal(1, await CountAsync("select count(*) from notices where case_id = @caseId", new { caseId }));
        var drafted = await fixture.Probe.WaitForAsync<NoticeDrafted>(m => m.CaseId == caseId);
        Assert.Equal(accepted.At, drafted.Message.ArrivedAt);
        Assert.Equal(accepted.At.AddHours(24), drafted.Message.DueAt);
        Assert.Equal("140802", drafted.Message.StationCounty);
        await TestDatabase.EventuallyAsync(async () => await CountAsync(
            "select count(*) from outbox_messages where sent_at is null", new { }) == 0, "the outbox is sent");
        Assert.Single(fixture.Probe.Received<NoticeDrafted>(m => m.CaseId == caseId));

        var notice = await GetAsync(drafted.Message.NoticeId);
        Assert.Equal(("draft", 1, "male", 30, 40), (notice.GetProperty("status").GetString(), notice.GetProperty("version").GetInt32(),
            notice.GetProperty("sex").GetString(), notice.GetProperty("ageLow").GetInt32(), notice.GetProperty("ageHigh").GetInt32()));
        Assert.Equal("患病或受伤", notice.GetProperty("details").GetProperty("health").GetString());
        Assert.Equal("drafted", notice.GetProperty("history")[0].GetProperty("action").GetString());
        // Sealed at rest: the health note is nowhere in the row in clear.
        Assert.Equal(0, await CountAsync(
            "select count(*) from notices where id = @NoticeId and position(convert_to('患病或受伤', 'UTF8') in details_sealed) > 0",
            new { drafted.Message.NoticeId }));
    }

    [Fact]
    public async Task No_notice_is_drafted_for_a_person_whose_identity_is_established()
    {
        var (caseId, _, _) = await AcceptAsync(identityMethod: "self_declared");
        Assert.Equal(0, await CountAsync("select count(*) from notices where case_id = @caseId", new { caseId }));
        Assert.Empty(fixture.Probe.Received<NoticeDrafted>(m => m.CaseId == caseId));
    }

    [Fact]
    public async Task A_notice_not_published_within_24_hours_goes_overdue_once_then_to_the_county_office()
    {
        var drafted = await DraftAsync();
        const string overdueEvents = """
            select count(*) from outbox_messages
            where message_type like 'Relief.FamilySearch.Contracts.NoticeOverdue,%' and payload->>'noticeId' = @NoticeId::text
            """;

        fixture.Clock.Advance(drafted.AcceptedAt.AddHours(24) - fixture.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        await fixture.WatcherLookedAsync();
        Assert.Equal(0, await CountAsync(overdueEvents, drafted));

        fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        var first = await fixture.Probe.WaitForAsync<NoticeOverdue>(m => m.NoticeId == drafted.NoticeId);
        Assert.Equal(1, first.Message.Level);
        // The database keeps microseconds.
        Assert.Equal(drafted.AcceptedAt.AddHours(24), first.Message.DueAt, TimeSpan.FromMilliseconds(1));

        // A later pass before the next level is due raises nothing more.
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        await fixture.WatcherLookedAsync();
        Assert.Equal(1, await CountAsync(overdueEvents, drafted));
        var notice = await GetAsync(drafted.NoticeId);
        Assert.Equal((1, 1), (notice.GetProperty("overdueLevel").GetInt32(), notice.GetProperty("version").GetInt32()));

        // Twelve hours after the first was due: the county office.
        fixture.Clock.Advance(TimeSpan.FromHours(12));
        var second = await fixture.Probe.WaitForAsync<NoticeOverdue>(m => m.NoticeId == drafted.NoticeId && m.Level == 2);
        Assert.Equal(drafted.AcceptedAt.AddHours(36), second.Message.DueAt, TimeSpan.FromMilliseconds(1));
        fixture.Clock.Advance(TimeSpan.FromHours(12));
        await fixture.WatcherLookedAsync();
        Assert.Equal(2, await CountAsync(overdueEvents, drafted));
    }

    [Fact]
    public async Task Submitting_an_incomplete_notice_names_each_missing_field()
    {
        var drafted = await DraftAsync();
        var (status, body) = await SendAsync(HttpMethod.Post, $"/api/family-search/notices/{drafted.NoticeId}/submit", new { version = 1 });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = body.GetProperty("errors").EnumerateObject().Select(field => field.Name).Order().ToArray();
        // Sex, the age range and the date found came from the case; the rest the station must write.
        Assert.Equal(["details.clothing", "details.contact", "details.features", "details.foundPlace"], errors);
        Assert.Equal("draft", (await GetAsync(drafted.NoticeId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_edit_on_a_stale_version_is_a_conflict()
    {
        var drafted = await DraftAsync();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, $"/api/family-search/notices/{drafted.NoticeId}", Complete(1))).Status);
        var (status, body) = await SendAsync(HttpMethod.Put, $"/api/family-search/notices/{drafted.NoticeId}", Complete(1));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal(2, body.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task The_one_who_submitted_may_not_approve_another_station_staff_member_publishes()
    {
        var drafted = await InReviewAsync();
        var (own, _) = await SendAsync(HttpMethod.Post, $"/api/family-search/notices/{drafted.NoticeId}/approve", new { version = 3 });
        Assert.Equal(HttpStatusCode.Forbidden, own);

        using var second = await SecondStationStaffAsync(fixture.Service);
        using var response = await second.PostAsJsonAsync(new Uri($"/api/family-search/notices/{drafted.NoticeId}/approve", UriKind.Relative), new { version = 3 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var notice = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("published", notice.GetProperty("status").GetString());
        Assert.Equal(["drafted", "edited", "submitted", "approved", "published"],
            notice.GetProperty("history").EnumerateArray().Select(entry => entry.GetProperty("action").GetString()!).ToArray());

        var published = await fixture.Probe.WaitForAsync<NoticePublished>(m => m.NoticeId == drafted.NoticeId);
        Assert.Equal((drafted.CaseId, "140802"), (published.Message.CaseId, published.Message.StationCounty));
        Assert.Equal(2, await CountAsync("""
            select count(*) from audit_log where subject = @NoticeId::text and action in ('approve_notice', 'publish_notice') and outcome = 'succeeded'
            """, drafted));
        // Published: its 24-hour deadline is over.
        Assert.Equal(0, await CountAsync(
            "select count(*) from deadlines where subject_id = @NoticeId and fired_at is null and cancelled_at is null", drafted));
    }

    [Fact]
    public async Task A_withdrawn_notice_says_why_and_whether_it_was_public()
    {
        var drafted = await InReviewAsync();
        Assert.Equal(HttpStatusCode.OK,
            (await SendAsync(HttpMethod.Post, $"/api/family-search/notices/{drafted.NoticeId}/approve", new { version = 3 }, TestUsers.CountyOfficer())).Status);
        var (status, body) = await SendAsync(HttpMethod.Post, $"/api/family-search/notices/{drafted.NoticeId}/withdraw",
            new { version = 4, reason = "reunited", comment = "家属已接回" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("withdrawn", "reunited"), (body.GetProperty("status").GetString(), body.GetProperty("withdrawnReason").GetString()));
        var withdrawn = await fixture.Probe.WaitForAsync<NoticeWithdrawn>(m => m.NoticeId == drafted.NoticeId);
        Assert.Equal(("reunited", true), (withdrawn.Message.Reason, withdrawn.Message.WasPublished));
        Assert.Equal(1, await CountAsync(
            "select count(*) from audit_log where subject = @NoticeId::text and action = 'withdraw_notice'", drafted));
    }

    [Fact]
    public async Task A_draft_is_withdrawn_by_itself_when_the_person_is_identified()
    {
        var drafted = await DraftAsync();
        // Not established: the notice stays.
        var notEstablished = Guid.NewGuid();
        await fixture.Probe.PublishAsync(new IdentityConfirmed
        {
            CaseId = drafted.CaseId, CountyCode = "140802", Method = "not_established", ConfirmedAt = fixture.Clock.GetUtcNow(),
        }, notEstablished);
        await fixture.Service.Consumed.WaitForAsync(notEstablished);
        Assert.Equal("draft", (await GetAsync(drafted.NoticeId)).GetProperty("status").GetString());

        await fixture.Probe.PublishAsync(new IdentityConfirmed
        {
            CaseId = drafted.CaseId, CountyCode = "140802", Method = "police_check", ConfirmedAt = fixture.Clock.GetUtcNow(),
        }, Guid.NewGuid());

        var withdrawn = await fixture.Probe.WaitForAsync<NoticeWithdrawn>(m => m.NoticeId == drafted.NoticeId);
        Assert.Equal(("identified", false), (withdrawn.Message.Reason, withdrawn.Message.WasPublished));
        Assert.Equal("withdrawn", (await GetAsync(drafted.NoticeId)).GetProperty("status").GetString());
    }

    /// <summary>
    /// The system's withdrawal reads the notice, then writes "withdrawn" where it is still as read; a staff member approving
    /// it in between (here: the row locked, as the approval's transaction holds it, and published while the withdrawal's
    /// update waits) leaves that update nothing to change. The message is tried again on the notice as it now is —
    /// once it went to the _error queue, and the published notice of an identified person stayed up.
    /// </summary>
    [Fact]
    public async Task A_withdrawal_by_the_system_racing_an_approval_withdraws_the_notice_as_published_and_faults_nothing()
    {
        var drafted = await InReviewAsync();
        await using var approval = new NpgsqlConnection(fixture.Service.DatabaseConnectionString);
        await approval.OpenAsync();
        await using var transaction = await approval.BeginTransactionAsync();
        await approval.ExecuteAsync("select 1 from notices where id = @NoticeId for update", drafted, transaction);

        var messageId = Guid.NewGuid();
        await fixture.Probe.PublishAsync(new IdentityConfirmed
        {
            CaseId = drafted.CaseId, CountyCode = "140802", Method = "id_card_checked", ConfirmedAt = fixture.Clock.GetUtcNow(),
        }, messageId);
        await TestDatabase.EventuallyAsync(async () => await CountAsync("""
            select count(*) from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like 'update notices%'
            """, new { }) == 1, "the withdrawal's update waits for the notice's row");
        await approval.ExecuteAsync("update notices set status = 'published', version = version + 1 where id = @NoticeId", drafted, transaction);
        await transaction.CommitAsync();

        var withdrawn = await fixture.Probe.WaitForAsync<NoticeWithdrawn>(m => m.NoticeId == drafted.NoticeId);
        await fixture.Service.Consumed.WaitForAsync(messageId);
        Assert.Equal(("identified", true), (withdrawn.Message.Reason, withdrawn.Message.WasPublished));
        Assert.Equal("withdrawn", (await GetAsync(drafted.NoticeId)).GetProperty("status").GetString());
        Assert.Equal(0, fixture.Service.Consumed.Faulted(messageId));
        Assert.Equal(0, await fixture.VirtualHost.CountMessagesMentioningAsync(
            ErrorQueues.Of<Relief.FamilySearch.Notices.IdentityConfirmedConsumer>("familysearch"), drafted.CaseId.ToString()));
    }

    [Fact]
    public async Task A_notice_is_withdrawn_as_left_when_the_referral_completes()
    {
        var drafted = await DraftAsync();
        await fixture.Probe.PublishAsync(new ReferralCompleted
        {
            ReferralId = drafted.ReferralId, CaseId = drafted.CaseId, CountyCode = "140802", ReceivingStationCounty = "140802",
            Sequence = 4, At = fixture.Clock.GetUtcNow(), Outcome = "left_of_own_accord",
        }, Guid.NewGuid());

        var withdrawn = await fixture.Probe.WaitForAsync<NoticeWithdrawn>(m => m.NoticeId == drafted.NoticeId);
        Assert.Equal("left", withdrawn.Message.Reason);
    }

    [Fact]
    public async Task Another_countys_station_does_not_see_the_notice_and_point_staff_may_not_read_notices()
    {
        var drafted = await DraftAsync();
        var linyi = TestUsers.StationStaff(TestUsers.LinyiStation, "140821");
        using var client = await fixture.Service.ClientForAsync(linyi);
        using (var response = await client.GetAsync(new Uri($"/api/family-search/notices/{drafted.NoticeId}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Post, $"/api/family-search/notices/{drafted.NoticeId}/withdraw",
            new { version = 1, reason = "left" }, linyi)).Status);
        var list = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/family-search/notices?limit=200", UriKind.Relative));
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), item => item.GetProperty("id").GetGuid() == drafted.NoticeId);

        using var own = await fixture.Service.ClientForAsync(Station);
        var ownList = await own.GetFromJsonAsync<JsonElement>(new Uri("/api/family-search/notices?status=draft&limit=200", UriKind.Relative));
        Assert.Contains(ownList.GetProperty("items").EnumerateArray(), item => item.GetProperty("id").GetGuid() == drafted.NoticeId);

        using var point = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        using var refused = await point.GetAsync(new Uri($"/api/family-search/notices/{drafted.NoticeId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task A_police_request_unanswered_in_time_goes_overdue_once_and_an_answer_ends_its_deadline()
    {
        var drafted = await DraftAsync();
        var (created, request) = await SendAsync(HttpMethod.Post, $"/api/family-search/cases/{drafted.CaseId}/police-requests",
            new { kind = "trafficking_report", policeUnit = "盐湖公安分局", reference = "YH-2026-001" });
        Assert.Equal(HttpStatusCode.Created, created);
        var requestId = request.GetProperty("id").GetGuid();
        var (answeredCreated, answeredRequest) = await SendAsync(HttpMethod.Post, $"/api/family-search/cases/{drafted.CaseId}/police-requests",
            new { kind = "identity_check", policeUnit = "盐湖公安分局" });
        Assert.Equal(HttpStatusCode.Created, answeredCreated);
        var answeredId = answeredRequest.GetProperty("id").GetGuid();
        var (answer, answered) = await SendAsync(HttpMethod.Post, $"/api/family-search/police-requests/{answeredId}/result",
            new { result = "no_record", note = "人口信息系统无记录" });
        Assert.Equal(HttpStatusCode.OK, answer);
        Assert.Equal(("answered", "人口信息系统无记录"), (answered.GetProperty("status").GetString(), answered.GetProperty("note").GetString()));

        // A report of a suspected trafficked person is due within a day; the identity check within a week.
        fixture.Clock.Advance(TimeSpan.FromDays(8));
        var overdue = await fixture.Probe.WaitForAsync<PoliceRequestOverdue>(m => m.RequestId == requestId && m.Level == 1);
        Assert.Equal(("trafficking_report", drafted.CaseId), (overdue.Message.Kind, overdue.Message.CaseId));
        await fixture.WatcherLookedAsync();
        const string overdueEvents = """
            select count(*) from outbox_messages
            where message_type like 'Relief.FamilySearch.Contracts.PoliceRequestOverdue,%' and payload->>'requestId' = @Id::text
            """;
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        await fixture.WatcherLookedAsync();
        // Level 1 and, 12 hours after it was due, level 2 (the clock went 7 days past it): once each, never again.
        Assert.Equal(2, await CountAsync(overdueEvents, new { Id = requestId }));
        Assert.Equal(0, await CountAsync(overdueEvents, new { Id = answeredId }));

        var list = await SendListAsync($"/api/family-search/police-requests?status=open&caseId={drafted.CaseId}");
        var open = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal((requestId, 2), (open.GetProperty("id").GetGuid(), open.GetProperty("overdueLevel").GetInt32()));
    }

    private async Task<JsonElement> SendListAsync(string path)
    {
        using var client = await fixture.Service.ClientForAsync(Station);
        return await client.GetFromJsonAsync<JsonElement>(new Uri(path, UriKind.Relative));
    }
}
