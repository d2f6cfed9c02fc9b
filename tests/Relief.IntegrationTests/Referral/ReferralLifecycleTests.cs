using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Relief.IntegrationTests.Infrastructure;
using Relief.Referral.Contracts;
using Relief.Referral.Referrals;
using Relief.Testing;

namespace Relief.IntegrationTests.Referral;

public sealed class ReferralLifecycleTests(ReferralFixture fixture) : IClassFixture<ReferralFixture>
{
    private string Db => fixture.Service.DatabaseConnectionString;

    public static TheoryData<string, string> EveryActionFromEveryState()
    {
        var data = new TheoryData<string, string>();
        foreach (var status in Referrals.AllStatuses)
        {
            foreach (var transition in ReferralLifecycle.Transitions)
            {
                data.Add(status, transition.Action);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryActionFromEveryState))]
    public async Task Every_action_from_every_state_is_applied_as_the_lifecycle_says_or_refused_with_the_allowed_ones(string status, string action)
    {
        using var city = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var referral = await Referrals.OpenAsync(fixture.Service.Services);
        foreach (var step in Referrals.PathTo(status))
        {
            await Referrals.ActOkAsync(city, referral.ReferralId, step);
        }

        var before = await Referrals.DetailAsync(city, referral.ReferralId);
        Assert.Equal(status, before.GetProperty("status").GetString());
        var version = before.GetProperty("version").GetInt32();
        var transition = ReferralLifecycle.Find(action)!;

        using var response = await Referrals.ActAsync(city, referral.ReferralId, action, Referrals.BodyFor(action, version));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        if (!transition.From.Contains(status))
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal(status, body.GetProperty("currentStatus").GetString());
            Assert.Equal(version, body.GetProperty("version").GetInt32());
            Assert.Equal(ReferralLifecycle.ActionsFrom(status), body.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()));
            // Nothing changed.
            Assert.Equal(version, (await Referrals.DetailAsync(city, referral.ReferralId)).GetProperty("version").GetInt32());
            return;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = await Referrals.DetailAsync(city, referral.ReferralId);
        Assert.Equal(transition.To, after.GetProperty("status").GetString());
        Assert.Equal(version + 1, after.GetProperty("version").GetInt32());
        Assert.Equal(ReferralLifecycle.ActionsFrom(transition.To), after.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()));
        var last = after.GetProperty("history").EnumerateArray().Last(h => h.GetProperty("action").GetString() != "overdue");
        Assert.Equal((action, status, transition.To, version + 1),
            (last.GetProperty("action").GetString(), last.GetProperty("fromStatus").GetString(), last.GetProperty("toStatus").GetString(),
             last.GetProperty("version").GetInt32()));

        var expectedEvent = action switch
        {
            "accept" => nameof(ReferralAccepted),
            "reject" => nameof(ReferralRejected),
            "complete" => nameof(ReferralCompleted),
            _ => nameof(ReferralStatusChanged),
        };
        Assert.Equal(1, await Referrals.OutboxCountAsync(Db, expectedEvent, referral.ReferralId, sequence: version + 1));

        if (action == "transfer")
        {
            // The answer is the new referral, at the other county's station, pointing back at the old one.
            Assert.Equal(referral.ReferralId, body.GetProperty("transferredFrom").GetGuid());
            Assert.Equal("140821", body.GetProperty("receivingStationCounty").GetString());
            Assert.Equal(ReferralStatus.Requested, body.GetProperty("status").GetString());
        }
        else
        {
            Assert.Equal(referral.ReferralId, body.GetProperty("id").GetGuid());
            Assert.Equal(transition.To, body.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task An_action_on_a_version_changed_since_is_refused_with_the_state_as_it_is_now()
    {
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        var referral = await Referrals.OpenAsync(fixture.Service.Services);
        await Referrals.ActOkAsync(station, referral.ReferralId, "accept");

        // Someone started it from version 1 — the version they had read before it was accepted.
        using var stale = await Referrals.ActAsync(station, referral.ReferralId, "start", Referrals.BodyFor("start", 1));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await stale.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("accepted", problem.GetProperty("currentStatus").GetString());
        Assert.Equal(2, problem.GetProperty("version").GetInt32());
        Assert.Equal(["start", "complete", "transfer"], problem.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Accept_and_reject_sent_at_once_one_wins_and_the_other_is_told_409()
    {
        using var first = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        using var second = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        for (var round = 0; round < 8; round++)
        {
            var referral = await Referrals.OpenAsync(fixture.Service.Services);
            using var start = new Barrier(2);
            var accept = Task.Run(async () =>
            {
                start.SignalAndWait();
                return await Referrals.ActAsync(first, referral.ReferralId, "accept", Referrals.BodyFor("accept", 1));
            });
            var reject = Task.Run(async () =>
            {
                start.SignalAndWait();
                return await Referrals.ActAsync(second, referral.ReferralId, "reject", Referrals.BodyFor("reject", 1));
            });
            var responses = await Task.WhenAll(accept, reject);

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
            var winner = responses[0].StatusCode == HttpStatusCode.OK ? "accepted" : "rejected";
            var loser = await responses.Single(r => r.StatusCode == HttpStatusCode.Conflict).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(winner, loser.GetProperty("currentStatus").GetString());
            Assert.Equal(2, loser.GetProperty("version").GetInt32());

            Assert.Equal(winner, await TestDatabase.ScalarAsync<string>(Db, "select status from referrals where id = @ReferralId", referral));
            Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db,
                "select count(*) from referral_history where referral_id = @ReferralId and action in ('accept', 'reject')", referral));
            Assert.Equal(1, await Referrals.OutboxCountAsync(Db, nameof(ReferralAccepted), referral.ReferralId)
                + await Referrals.OutboxCountAsync(Db, nameof(ReferralRejected), referral.ReferralId));
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task An_accepted_referral_is_told_on_the_bus_with_its_sequence()
    {
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        var referral = await Referrals.OpenAsync(fixture.Service.Services);

        await Referrals.ActOkAsync(station, referral.ReferralId, "accept");

        var accepted = await fixture.Probe.WaitForAsync<ReferralAccepted>(m => m.ReferralId == referral.ReferralId);
        Assert.Equal((referral.CaseId, "140802", 2), (accepted.Message.CaseId, accepted.Message.ReceivingStationCounty, accepted.Message.Sequence));
    }

    [Fact]
    public async Task Completing_with_relatives_needs_the_collectors_id_checked_and_leaving_alone_a_signed_statement()
    {
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        var referral = await Referrals.OpenAsync(fixture.Service.Services);
        await Referrals.ActOkAsync(station, referral.ReferralId, "accept");

        await AssertFieldErrorAsync(station, referral.ReferralId, "complete", new { version = 2, outcome = "collected_by_relatives" }, "collectorIdChecked");
        await AssertFieldErrorAsync(station, referral.ReferralId, "complete",
            new { version = 2, outcome = "collected_by_relatives", collectorIdChecked = false }, "collectorIdChecked");
        await AssertFieldErrorAsync(station, referral.ReferralId, "complete", new { version = 2, outcome = "left_of_own_accord" }, "signedStatement");

        using var collected = await Referrals.ActAsync(station, referral.ReferralId, "complete",
            new { version = 2, outcome = "collected_by_relatives", collectorIdChecked = true, comment = "儿子持身份证接回 / collected by his son" });
        Assert.Equal(HttpStatusCode.OK, collected.StatusCode);
        var detail = await collected.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("collected_by_relatives", detail.GetProperty("outcome").GetString());
        Assert.True(detail.GetProperty("outcomeDetail").GetProperty("collectorIdChecked").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, detail.GetProperty("closedAt").ValueKind);
        var completed = await fixture.Probe.WaitForAsync<ReferralCompleted>(m => m.ReferralId == referral.ReferralId);
        Assert.Equal("collected_by_relatives", completed.Message.Outcome);

        var alone = await Referrals.OpenAsync(fixture.Service.Services);
        await Referrals.ActOkAsync(station, alone.ReferralId, "accept");
        using var left = await Referrals.ActAsync(station, alone.ReferralId, "complete",
            new { version = 2, outcome = "left_of_own_accord", signedStatement = true });
        Assert.Equal(HttpStatusCode.OK, left.StatusCode);
    }

    [Fact]
    public async Task Bad_bodies_are_refused_naming_the_field_in_chinese_and_english()
    {
        using var city = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var referral = await Referrals.OpenAsync(fixture.Service.Services);

        await AssertFieldErrorAsync(city, referral.ReferralId, "accept", new { }, "version");
        await AssertFieldErrorAsync(city, referral.ReferralId, "accept", new { version = 1, reasn = "typo" }, "reasn");
        await AssertFieldErrorAsync(city, referral.ReferralId, "reject", new { version = 1 }, "reason");
        await AssertFieldErrorAsync(city, referral.ReferralId, "reject", new { version = 1, reason = "too_busy" }, "reason");
        await AssertFieldErrorAsync(city, referral.ReferralId, "reject", new { version = 1, reason = "other" }, "comment");
        await AssertFieldErrorAsync(city, referral.ReferralId, "cancel", new { version = 1 }, "comment");
        await AssertFieldErrorAsync(city, referral.ReferralId, "cancel", new { version = 1, comment = "   " }, "comment");
        await AssertFieldErrorAsync(city, referral.ReferralId, "reopen", new { version = 1 }, "comment");
        await AssertFieldErrorAsync(city, referral.ReferralId, "transfer", new { version = 1, toCounty = "110105" }, "toCounty");
        await AssertFieldErrorAsync(city, referral.ReferralId, "transfer", new { version = 1, toCounty = "140802" }, "toCounty");
        await AssertFieldErrorAsync(city, referral.ReferralId, "complete", new { version = 1, outcome = "vanished" }, "outcome");
        await AssertFieldErrorAsync(city, referral.ReferralId, "accept", new { version = 1, comment = new string('长', 501) }, "comment");

        using var notJson = await city.PostAsync(new Uri($"/api/referrals/{referral.ReferralId}/accept", UriKind.Relative),
            new StringContent("{ version: ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        using var wrongType = await Referrals.ActAsync(city, referral.ReferralId, "accept", new { version = "one" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);

        // None of them changed anything.
        Assert.Equal(1, (await Referrals.DetailAsync(city, referral.ReferralId)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_transfer_closes_the_referral_and_opens_one_at_the_other_countys_station_which_takes_it_from_there()
    {
        using var yanhu = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        using var linyi = await fixture.Service.ClientForAsync(TestUsers.StationStaff(TestUsers.LinyiStation, "140821"));
        var referral = await Referrals.OpenAsync(fixture.Service.Services);
        await Referrals.ActOkAsync(yanhu, referral.ReferralId, "accept");

        using var response = await Referrals.ActAsync(yanhu, referral.ReferralId, "transfer",
            new { version = 2, toCounty = "140821", comment = "户籍在临猗 / registered in Linyi" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var transferred = await response.Content.ReadFromJsonAsync<JsonElement>();
        var newId = transferred.GetProperty("id").GetGuid();
        Assert.NotEqual(referral.ReferralId, newId);
        Assert.Equal(referral.ReferralId, transferred.GetProperty("transferredFrom").GetGuid());
        // The sender sees what it sent, and may no longer act on it: the other station's now.
        Assert.Empty(transferred.GetProperty("allowedActions").EnumerateArray());
        Assert.Equal("transferred", (await Referrals.DetailAsync(yanhu, referral.ReferralId)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await yanhu.GetAsync(new Uri($"/api/referrals/{newId}", UriKind.Relative))).StatusCode);

        var inbox = await linyi.GetFromJsonAsync<JsonElement>(new Uri("/api/referrals/inbox", UriKind.Relative));
        Assert.Contains(inbox.EnumerateArray(), r => r.GetProperty("id").GetGuid() == newId);
        // 临猗县's office follows what its station now holds, though the case is 盐湖区's; 盐湖区's office still sees both.
        using var linyiOffice = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer("140821"));
        var officeInbox = await linyiOffice.GetFromJsonAsync<JsonElement>(new Uri("/api/referrals/inbox", UriKind.Relative));
        Assert.Contains(officeInbox.EnumerateArray(), r => r.GetProperty("id").GetGuid() == newId);
        Assert.DoesNotContain(officeInbox.EnumerateArray(), r => r.GetProperty("id").GetGuid() == referral.ReferralId);
        using var yanhuOffice = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer("140802"));
        Assert.Equal("requested", (await Referrals.DetailAsync(yanhuOffice, newId)).GetProperty("status").GetString());
        await Referrals.ActOkAsync(linyi, newId, "accept");
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db,
            "select count(*) from deadlines where referral_id = @ReferralId and fired_at is null and cancelled_at is null", referral));

        var changed = await fixture.Probe.WaitForAsync<ReferralStatusChanged>(m => m.ReferralId == referral.ReferralId && m.Status == "transferred");
        Assert.Equal(3, changed.Message.Sequence);
        var requested = await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.ReferralId == newId);
        Assert.Equal("140821", requested.Message.ReceivingStationCounty);

        // Who took each step, by name and office: 盐湖区's station accepted and sent it on, 临猗县's accepted it there.
        var yanhuStaff = (await SharedAuthority.SignIn.SubjectAsync(TestUsers.StationStaff()), await SharedAuthority.SignIn.NameAsync(TestUsers.StationStaff()),
            (string?)TestUsers.YanhuStation);
        var linyiUser = TestUsers.StationStaff(TestUsers.LinyiStation, "140821");
        var linyiStaff = (await SharedAuthority.SignIn.SubjectAsync(linyiUser), await SharedAuthority.SignIn.NameAsync(linyiUser), (string?)TestUsers.LinyiStation);
        Assert.Equal([("accept", yanhuStaff), ("transfer", yanhuStaff)], Steps(await Referrals.DetailAsync(yanhu, referral.ReferralId)).Skip(1));
        Assert.Equal([("request", yanhuStaff), ("accept", linyiStaff)], Steps(await Referrals.DetailAsync(linyi, newId)));
    }

    /// <summary>Each history step's action and who took it: the id, the name and the office the service returns.</summary>
    private static List<(string?, (string?, string?, string?))> Steps(JsonElement detail) =>
        [.. detail.GetProperty("history").EnumerateArray().Select(step => (step.GetProperty("action").GetString(),
            (step.GetProperty("by").GetString(), step.GetProperty("byName").GetString(), step.GetProperty("byOffice").GetString())))];

    [Fact]
    public async Task After_a_rejection_the_point_refers_the_case_again_but_never_while_a_referral_is_open()
    {
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        using var point = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        var referral = await Referrals.OpenAsync(fixture.Service.Services, priority: "urgent");
        var again = new Uri($"/api/cases/{referral.CaseId}/referrals", UriKind.Relative);

        using (var whileOpen = await point.PostAsJsonAsync(again, new { comment = "再次转介 / again" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, whileOpen.StatusCode);
            Assert.Equal(referral.ReferralId, (await whileOpen.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("openReferralId").GetGuid());
        }

        await Referrals.ActOkAsync(station, referral.ReferralId, "reject");
        using var response = await point.PostAsJsonAsync(again, new { comment = "已联系站长，床位已空出 / a bed is free now" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var second = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("requested", "urgent", "140802"), (second.GetProperty("status").GetString(), second.GetProperty("priority").GetString(),
            second.GetProperty("receivingStationCounty").GetString()));
        Assert.Equal("已联系站长，床位已空出 / a bed is free now",
            second.GetProperty("history")[0].GetProperty("detail").GetProperty("comment").GetString());
        Assert.Equal([("request", (await SharedAuthority.SignIn.SubjectAsync(TestUsers.PointStaff()),
            await SharedAuthority.SignIn.NameAsync(TestUsers.PointStaff()), (string?)TestUsers.YanhuPoint))], Steps(second));
        var ofCase = await point.GetFromJsonAsync<JsonElement>(new Uri($"/api/referrals?caseId={referral.CaseId}", UriKind.Relative));
        Assert.Equal([referral.ReferralId, second.GetProperty("id").GetGuid()], ofCase.EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));

        using var thirdWhileOpen = await point.PostAsJsonAsync(again, new { });
        Assert.Equal(HttpStatusCode.Conflict, thirdWhileOpen.StatusCode);
        using var unknownCase = await point.PostAsJsonAsync(new Uri($"/api/cases/{Guid.NewGuid()}/referrals", UriKind.Relative), new { });
        Assert.Equal(HttpStatusCode.NotFound, unknownCase.StatusCode);
    }

    [Fact]
    public async Task Reopening_while_the_case_has_another_open_referral_is_refused()
    {
        using var city = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var referral = await Referrals.OpenAsync(fixture.Service.Services);
        await Referrals.ActOkAsync(city, referral.ReferralId, "cancel");
        using (var again = await city.PostAsJsonAsync(new Uri($"/api/cases/{referral.CaseId}/referrals", UriKind.Relative), new { }))
        {
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        }

        using var reopen = await Referrals.ActAsync(city, referral.ReferralId, "reopen", Referrals.BodyFor("reopen", 2));

        Assert.Equal(HttpStatusCode.Conflict, reopen.StatusCode);
        var problem = await reopen.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("open referral", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal("cancelled", problem.GetProperty("currentStatus").GetString());
    }

    [Fact]
    public async Task Accepting_starts_the_care_days_and_a_reopened_referral_is_watched_again()
    {
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        var referral = await Referrals.OpenAsync(fixture.Service.Services);

        var accepted = await Referrals.ActOkAsync(station, referral.ReferralId, "accept");

        var started = accepted.GetProperty("careStartedAt").GetDateTimeOffset();
        Assert.Equal(started.AddDays(10), accepted.GetProperty("careUntil").GetDateTimeOffset());
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db, """
            select count(*) from deadlines where referral_id = @ReferralId and kind = 'acceptance' and cancelled_at is not null
            """, referral));
        Assert.Equal(started.AddDays(10).UtcDateTime, await TestDatabase.ScalarAsync<DateTime>(Db, """
            select due_at from deadlines where referral_id = @ReferralId and kind = 'care_days' and fired_at is null and cancelled_at is null
            """, referral));

        await Referrals.ActOkAsync(station, referral.ReferralId, "complete");
        Assert.Equal(0, await OpenDeadlinesAsync(referral.ReferralId));
        await Referrals.ActOkAsync(station, referral.ReferralId, "reopen");
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db, """
            select count(*) from deadlines where referral_id = @ReferralId and kind = 'care_days' and round = 2
                                              and fired_at is null and cancelled_at is null
            """, referral));
    }

    [Fact]
    public async Task A_station_of_another_county_finds_nothing_and_point_staff_may_not_accept()
    {
        using var linyi = await fixture.Service.ClientForAsync(TestUsers.StationStaff(TestUsers.LinyiStation, "140821"));
        using var point = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        using var otherPoint = await fixture.Service.ClientForAsync(TestUsers.PointStaff(TestUsers.LinyiPoint, "140821"));
        using var hotline = await fixture.Service.ClientForAsync(TestUsers.HotlineOperator());
        var referral = await Referrals.OpenAsync(fixture.Service.Services);

        Assert.Equal(HttpStatusCode.NotFound, (await linyi.GetAsync(new Uri($"/api/referrals/{referral.ReferralId}", UriKind.Relative))).StatusCode);
        using (var accept = await Referrals.ActAsync(linyi, referral.ReferralId, "accept", Referrals.BodyFor("accept", 1)))
        {
            Assert.Equal(HttpStatusCode.NotFound, accept.StatusCode);
        }

        using (var accept = await Referrals.ActAsync(point, referral.ReferralId, "accept", Referrals.BodyFor("accept", 1)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, accept.StatusCode);
        }

        using (var inbox = await point.GetAsync(new Uri("/api/referrals/inbox", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, inbox.StatusCode);
        }

        using (var read = await hotline.GetAsync(new Uri($"/api/referrals/{referral.ReferralId}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        }

        using (var cancel = await Referrals.ActAsync(otherPoint, referral.ReferralId, "cancel", Referrals.BodyFor("cancel", 1)))
        {
            Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        }

        // The point that sent it may call it off; what it may do is all the detail offers it.
        Assert.Equal(["cancel"], (await Referrals.DetailAsync(point, referral.ReferralId)).GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()));
        await Referrals.ActOkAsync(point, referral.ReferralId, "cancel");
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db,
            "select count(*) from audit_log where action = 'read_referral' and outcome = 'refused' and subject = @Id",
            new { Id = referral.ReferralId.ToString() }));
    }

    [Fact]
    public async Task The_inbox_lists_overdue_referrals_first_then_the_most_urgent_then_the_longest_waiting()
    {
        // 芮城县 is this test's own: nothing else is referred there.
        const string county = "140830";
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff("RC-JZZ", county));
        var normal = await Referrals.OpenAsync(fixture.Service.Services, county, "RC-001", "normal");
        var olderHigh = await Referrals.OpenAsync(fixture.Service.Services, county, "RC-001", "high");
        var urgent = await Referrals.OpenAsync(fixture.Service.Services, county, "RC-001", "urgent");
        var high = await Referrals.OpenAsync(fixture.Service.Services, county, "RC-001", "high");
        var overdueNormal = await Referrals.OpenAsync(fixture.Service.Services, county, "RC-001", "normal");
        var rejected = await Referrals.OpenAsync(fixture.Service.Services, county, "RC-001", "normal");
        await Referrals.ActOkAsync(station, rejected.ReferralId, "reject");
        // Its acceptance deadline passed: the watcher fires it as it would on its next pass.
        await TestDatabase.ExecuteAsync(Db, "update deadlines set due_at = now() - interval '1 minute' where referral_id = @ReferralId", overdueNormal);
        var watcher = fixture.Service.Services.GetRequiredService<Relief.Referral.Deadlines.DeadlineWatcher>();
        await watcher.FireDueAsync(CancellationToken.None);

        var inbox = await station.GetFromJsonAsync<JsonElement>(new Uri("/api/referrals/inbox", UriKind.Relative));

        Assert.Equal([overdueNormal.ReferralId, urgent.ReferralId, olderHigh.ReferralId, high.ReferralId, normal.ReferralId],
            inbox.EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));
        Assert.True(inbox[0].GetProperty("overdue").GetBoolean());
        Assert.Equal(1, inbox[0].GetProperty("overdueLevel").GetInt32());
        Assert.False(inbox[1].GetProperty("overdue").GetBoolean());

        var closed = await station.GetFromJsonAsync<JsonElement>(new Uri("/api/referrals/inbox?status=closed", UriKind.Relative));
        Assert.Equal([rejected.ReferralId], closed.EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));
        var all = await station.GetFromJsonAsync<JsonElement>(new Uri("/api/referrals/inbox?status=all", UriKind.Relative));
        Assert.Equal(6, all.GetArrayLength());
        using var bad = await station.GetAsync(new Uri("/api/referrals/inbox?status=late", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        // Accepting what was late makes it no longer overdue.
        await Referrals.ActOkAsync(station, overdueNormal.ReferralId, "accept");
        Assert.False((await Referrals.DetailAsync(station, overdueNormal.ReferralId)).GetProperty("overdue").GetBoolean());
    }

    private Task<long> OpenDeadlinesAsync(Guid referralId) => TestDatabase.ScalarAsync<long>(Db,
        "select count(*) from deadlines where referral_id = @referralId and fired_at is null and cancelled_at is null", new { referralId });

    private static async Task AssertFieldErrorAsync(HttpClient client, Guid referralId, string action, object body, string field)
    {
        using var response = await Referrals.ActAsync(client, referralId, action, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{action} {JsonSerializer.Serialize(body)}: {(int)response.StatusCode} {text}");
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"{action}: no error for {field} in {text}");
        Assert.Contains(" / ", messages[0].GetString(), StringComparison.Ordinal);
    }
}
