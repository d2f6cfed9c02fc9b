using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.Intake.Referrals;
using Relief.IntegrationTests.Infrastructure;
using Relief.Referral.Contracts;
using Relief.Testing;

namespace Relief.IntegrationTests.Intake;

/// <summary>
/// Closing the loop in Intake (issue 11): the case's timeline from what Referral reports, the referral's newest state
/// whatever order its events arrive in, and the case closed by a completed referral (or by the point) and reopened.
/// Referral is played by the probe, publishing its events as its outbox relay would.
/// </summary>
public sealed class CaseTimelineTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    private const string County = "140802";

    /// <summary>Whole seconds, so times compare equal after PostgreSQL's microseconds.</summary>
    private static readonly DateTimeOffset T0 = WholeSeconds(DateTimeOffset.UtcNow.AddHours(-1));

    private static DateTimeOffset WholeSeconds(DateTimeOffset value) => new(value.Ticks - value.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static DateTimeOffset At(int minute) => T0.AddMinutes(minute);

    /// <summary>One referral of a case, and its events as Referral would publish them.</summary>
    private sealed record AReferral(Guid CaseId, string StationCounty = County)
    {
        public Guid Id { get; } = Guid.NewGuid();

        public ReferralRequested Requested(DateTimeOffset at, int sequence = 1) => new()
        {
            ReferralId = Id, CaseId = CaseId, CountyCode = County, ReceivingStationCounty = StationCounty, ServicePointCode = TestUsers.YanhuPoint,
            Priority = "urgent", AcceptBy = at.AddMinutes(30), Sequence = sequence, SentAt = at,
        };

        public ReferralAccepted Accepted(int sequence, DateTimeOffset at) => new()
        {
            ReferralId = Id, CaseId = CaseId, CountyCode = County, ReceivingStationCounty = StationCounty, Sequence = sequence, At = at,
        };

        public ReferralRejected Rejected(int sequence, DateTimeOffset at, string reason) => new()
        {
            ReferralId = Id, CaseId = CaseId, CountyCode = County, ReceivingStationCounty = StationCounty, Sequence = sequence, At = at, Reason = reason,
        };

        public ReferralStatusChanged Changed(int sequence, DateTimeOffset at, string status) => new()
        {
            ReferralId = Id, CaseId = CaseId, CountyCode = County, ReceivingStationCounty = StationCounty, Sequence = sequence, At = at, Status = status,
        };

        public ReferralCompleted Completed(int sequence, DateTimeOffset at, string outcome = "escorted_home") => new()
        {
            ReferralId = Id, CaseId = CaseId, CountyCode = County, ReceivingStationCounty = StationCounty, Sequence = sequence, At = at, Outcome = outcome,
        };

        public ReferralOverdue Overdue(int level, DateTimeOffset at) => new()
        {
            ReferralId = Id, CaseId = CaseId, CountyCode = County, ReceivingStationCounty = StationCounty, Kind = "acceptance", Level = level,
            DueAt = at.AddMinutes(-1), At = at,
        };
    }

    private async Task<Guid> RegisterAsync(string need = "Referral")
    {
        using var staff = await fixture.Service.ClientForAsync();
        using var response = await staff.PostCaseAsync(CaseRequests.Valid(need: need));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>An event of whichever type, published with a given message id as Referral's relay would.</summary>
    private Func<Guid, Task> Publishing<T>(T message) where T : class => id => fixture.Probe.PublishAsync(message, id);

    /// <summary>Publishes and waits until Intake has handled it (so a negative check can follow).</summary>
    private Task<Guid> DeliverAsync<T>(T message, int times = 1) where T : class => DeliverAsync(Publishing(message), times);

    private async Task<Guid> DeliverAsync(Func<Guid, Task> publish, int times = 1)
    {
        var id = Guid.NewGuid();
        for (var i = 0; i < times; i++)
        {
            await publish(id);
        }

        await fixture.Service.Consumed.WaitForAsync(id, deliveries: times);
        return id;
    }

    private async Task<JsonElement> CaseAsync(Guid caseId, TestUser? user = null)
    {
        using var client = await fixture.Service.ClientForAsync(user ?? TestUsers.CityAdministrator());
        return await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{caseId}", UriKind.Relative));
    }

    private static List<JsonElement> Timeline(JsonElement detail) => [.. detail.GetProperty("history").EnumerateArray()];

    private static List<string> Actions(JsonElement detail) => [.. Timeline(detail).Select(step => step.GetProperty("action").GetString()!)];

    private static JsonElement Step(JsonElement detail, string action) =>
        Assert.Single(Timeline(detail), step => step.GetProperty("action").GetString() == action).GetProperty("detail");

    private async Task<List<Guid>> ListedAsync(string status)
    {
        using var client = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var page = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases?status={status}&limit=100", UriKind.Relative));
        return [.. page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid())];
    }

    [Fact]
    public async Task Every_event_Referral_reports_is_one_timeline_row_in_the_order_it_happened_even_when_delivered_twice()
    {
        var caseId = await RegisterAsync();
        var a = new AReferral(caseId);
        var rejected = new AReferral(caseId);
        var transferred = new AReferral(caseId);
        var transferredTo = new AReferral(caseId, "140821");
        var actionId = Guid.NewGuid();
        Func<Guid, Task>[] events =
        [
            Publishing(new CaseClassified { CaseId = caseId, CountyCode = County, RuleSetVersion = 3, Rules = ["identity_not_established", "elderly"], Decision = "referral", At = At(0) }),
            Publishing(a.Requested(At(1))),
            Publishing(a.Overdue(2, At(2))),
            Publishing(a.Accepted(2, At(3))),
            Publishing(a.Changed(3, At(4), "in_progress")),
            Publishing(new ReliefActionRecorded { ActionId = actionId, CaseId = caseId, CountyCode = County, Kind = "travel_voucher", Amount = 85.5m, At = At(5) }),
            Publishing(new ReliefActionVoided { ActionId = actionId, CaseId = caseId, CountyCode = County, Kind = "travel_voucher", At = At(6) }),
            Publishing(a.Completed(4, At(7))),
            Publishing(a.Changed(5, At(8), "in_progress")),
            Publishing(a.Changed(6, At(9), "cancelled")),
            Publishing(rejected.Requested(At(10))),
            Publishing(rejected.Rejected(2, At(11), "no_capacity")),
            Publishing(transferred.Requested(At(12))),
            Publishing(transferred.Changed(2, At(13), "transferred")),
            Publishing(transferredTo.Requested(At(14))),
        ];

        // Each twice with its one message id, as a redelivery or a relay's re-publish after a crash brings it.
        foreach (var publish in events)
        {
            await DeliverAsync(publish, times: 2);
        }

        var detail = await CaseAsync(caseId);
        Assert.Equal(
            [
                "classified", "referral_sent", "referral_overdue", "referral_accepted", "referral_in_progress", "relief_given",
                "relief_voided", "referral_completed", "case_closed", "referral_reopened", "case_reopened", "referral_cancelled",
                "referral_sent", "referral_rejected", "referral_sent", "referral_transferred", "referral_sent",
            ],
            Actions(detail));
        // Who took these steps is on the referral's own history: no event carries a user's name.
        Assert.All(Timeline(detail), step => Assert.Equal(("referral", JsonValueKind.Null),
            (step.GetProperty("by").GetString(), step.GetProperty("byName").ValueKind)));
        Assert.Equal(At(1), Timeline(detail)[1].GetProperty("at").GetDateTimeOffset());

        var classified = Step(detail, "classified");
        Assert.Equal("referral", classified.GetProperty("decision").GetString());
        Assert.Equal(["identity_not_established", "elderly"], classified.GetProperty("rules").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(3, classified.GetProperty("ruleSetVersion").GetInt32());
        var sent = Timeline(detail).First(step => step.GetProperty("action").GetString() == "referral_sent").GetProperty("detail");
        Assert.Equal(a.Id, sent.GetProperty("referralId").GetGuid());
        Assert.Equal(County, sent.GetProperty("stationCounty").GetString());
        Assert.Equal("urgent", sent.GetProperty("priority").GetString());
        var overdue = Step(detail, "referral_overdue");
        Assert.Equal((a.Id, "acceptance", 2), (overdue.GetProperty("referralId").GetGuid(), overdue.GetProperty("kind").GetString(), overdue.GetProperty("level").GetInt32()));
        Assert.Equal(a.Id, Step(detail, "referral_accepted").GetProperty("referralId").GetGuid());
        var given = Step(detail, "relief_given");
        Assert.Equal(("travel_voucher", 85.5m, actionId), (given.GetProperty("kind").GetString(), given.GetProperty("amount").GetDecimal(), given.GetProperty("actionId").GetGuid()));
        Assert.Equal(actionId, Step(detail, "relief_voided").GetProperty("actionId").GetGuid());
        Assert.Equal("escorted_home", Step(detail, "referral_completed").GetProperty("outcome").GetString());
        Assert.Equal(a.Id, Step(detail, "case_closed").GetProperty("referralId").GetGuid());
        Assert.Equal(a.Id, Step(detail, "case_reopened").GetProperty("referralId").GetGuid());
        Assert.Equal(a.Id, Step(detail, "referral_cancelled").GetProperty("referralId").GetGuid());
        Assert.Equal("no_capacity", Step(detail, "referral_rejected").GetProperty("reason").GetString());
        Assert.Equal(transferred.Id, Step(detail, "referral_transferred").GetProperty("referralId").GetGuid());

        // The transfer's new referral is the current one: its station reads the case now, the one it left no longer.
        Assert.Equal(transferredTo.Id, detail.GetProperty("referralId").GetGuid());
        Assert.Equal("requested", detail.GetProperty("referralStatus").GetString());
        Assert.Equal("140821", detail.GetProperty("referredToStationCounty").GetString());
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("closedAt").ValueKind);
        using var linyiStation = await fixture.Service.ClientForAsync(TestUsers.StationStaff(TestUsers.LinyiStation, "140821"));
        using var yanhuStation = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        Assert.Equal(HttpStatusCode.OK, (await linyiStation.GetAsync(new Uri($"/api/cases/{caseId}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await yanhuStation.GetAsync(new Uri($"/api/cases/{caseId}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_referral_the_system_withdrew_on_reclassification_says_why_in_the_timeline_and_leaves_the_case_open_for_the_point()
    {
        var caseId = await RegisterAsync("Food");
        var referral = new AReferral(caseId);
        await DeliverAsync(new CaseClassified
        {
            CaseId = caseId, CountyCode = County, RuleSetVersion = 1, Rules = ["refer_unidentified_to_station"], Decision = "referral", At = At(0),
        });
        await DeliverAsync(referral.Requested(At(1)));
        await DeliverAsync(new CaseClassified
        {
            CaseId = caseId, CountyCode = County, RuleSetVersion = 1, Rules = ["travel_assistance_at_point"], Decision = "relief_at_point",
            Trigger = "identity_confirmed", At = At(2),
        });
        await DeliverAsync(referral.Changed(2, At(3), "cancelled") with { Reason = ReferralStatusChanged.Reclassified });

        var detail = await CaseAsync(caseId);
        Assert.Equal(["classified", "referral_sent", "classified", "referral_cancelled"], Actions(detail));
        var cancelled = Step(detail, "referral_cancelled");
        Assert.Equal((referral.Id, "reclassified"), (cancelled.GetProperty("referralId").GetGuid(), cancelled.GetProperty("reason").GetString()));
        Assert.Equal("cancelled", detail.GetProperty("referralStatus").GetString());
        // Nothing was completed: the point helps the person and closes the case with its outcome.
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("closedAt").ValueKind);

        // A cancellation staff made carries no reason: its timeline row has none.
        var other = new AReferral(await RegisterAsync());
        await DeliverAsync(other.Requested(At(1)));
        await DeliverAsync(other.Changed(2, At(2), "cancelled"));
        Assert.False(Step(await CaseAsync(other.CaseId), "referral_cancelled").TryGetProperty("reason", out _));
    }

    [Fact]
    public async Task An_accept_is_never_overwritten_by_its_older_request_arriving_after_it()
    {
        var caseId = await RegisterAsync();
        var referral = new AReferral(caseId);

        await DeliverAsync(referral.Accepted(2, At(3)));
        await DeliverAsync(referral.Requested(At(1)));

        var detail = await CaseAsync(caseId);
        Assert.Equal("accepted", detail.GetProperty("referralStatus").GetString());
        Assert.Equal(referral.Id, detail.GetProperty("referralId").GetGuid());
        Assert.Equal(County, detail.GetProperty("referredToStationCounty").GetString());
        // Both happened: the late request is in the timeline too, placed by its time, before the accept.
        Assert.Equal(["referral_sent", "referral_accepted"], Actions(detail));
        Assert.Contains(caseId, await ListedAsync("accepted"));
        Assert.DoesNotContain(caseId, await ListedAsync("referred"));
        Assert.Equal(2, await TestDatabase.ScalarAsync<int>(fixture.Service.DatabaseConnectionString,
            "select sequence from case_referrals where referral_id = @Id", new { referral.Id }));
    }

    [Fact]
    public async Task A_referral_s_events_delivered_all_at_once_in_reverse_leave_its_newest_state()
    {
        var caseId = await RegisterAsync();
        var referral = new AReferral(caseId);
        Func<Guid, Task>[] events =
        [
            Publishing(referral.Completed(4, At(4), "returned_home")), Publishing(referral.Changed(3, At(3), "in_progress")),
            Publishing(referral.Accepted(2, At(2))), Publishing(referral.Requested(At(1))),
        ];

        var ids = events.Select(_ => Guid.NewGuid()).ToArray();
        await Task.WhenAll(events.Select((publish, i) => publish(ids[i])));
        foreach (var id in ids)
        {
            await fixture.Service.Consumed.WaitForAsync(id);
        }

        var detail = await CaseAsync(caseId);
        Assert.Equal("completed", detail.GetProperty("referralStatus").GetString());
        Assert.Equal(At(4), detail.GetProperty("closedAt").GetDateTimeOffset());
        Assert.Equal("returned_home", detail.GetProperty("closingOutcome").GetString());
        Assert.Equal(["referral_sent", "referral_accepted", "referral_in_progress", "referral_completed", "case_closed"], Actions(detail));
    }

    [Fact]
    public async Task A_completed_referral_closes_the_case_and_starts_its_retention_clock_and_a_reopening_opens_it_again()
    {
        var caseId = await RegisterAsync();
        var referral = new AReferral(caseId);
        await DeliverAsync(referral.Requested(At(1)));
        await DeliverAsync(referral.Accepted(2, At(2)));
        await DeliverAsync(referral.Changed(3, At(3), "in_progress"));
        Assert.Contains(caseId, await ListedAsync("in_care"));

        await DeliverAsync(referral.Completed(4, At(4), "collected_by_relatives"));

        var closed = await CaseAsync(caseId, TestUsers.PointStaff());
        Assert.Equal(At(4), closed.GetProperty("closedAt").GetDateTimeOffset());
        Assert.Equal("referral", closed.GetProperty("closedBy").GetString());
        Assert.Equal("collected_by_relatives", closed.GetProperty("closingOutcome").GetString());
        Assert.Equal("completed", closed.GetProperty("referralStatus").GetString());
        Assert.Equal("collected_by_relatives", Step(closed, "case_closed").GetProperty("outcome").GetString());
        Assert.Contains(caseId, await ListedAsync("closed"));
        Assert.DoesNotContain(caseId, await ListedAsync("open"));
        // The retention clock runs from the completion.
        Assert.True(await TestDatabase.ScalarAsync<bool>(fixture.Service.DatabaseConnectionString,
            "select closed_at = @At from cases where id = @caseId", new { At = At(4).UtcDateTime, caseId }));

        await DeliverAsync(referral.Changed(5, At(5), "in_progress"));

        var reopened = await CaseAsync(caseId);
        Assert.Equal(JsonValueKind.Null, reopened.GetProperty("closedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, reopened.GetProperty("closingOutcome").ValueKind);
        Assert.Equal("in_progress", reopened.GetProperty("referralStatus").GetString());
        Assert.Equal(["referral_sent", "referral_accepted", "referral_in_progress", "referral_completed", "case_closed", "referral_reopened", "case_reopened"],
            Actions(reopened));
        Assert.Contains(caseId, await ListedAsync("in_care"));
    }

    [Fact]
    public async Task An_older_completion_arriving_after_a_newer_reopening_does_not_close_the_case()
    {
        var caseId = await RegisterAsync();
        var referral = new AReferral(caseId);
        await DeliverAsync(referral.Requested(At(1)));
        await DeliverAsync(referral.Accepted(2, At(2)));

        await DeliverAsync(referral.Changed(4, At(4), "in_progress"));
        await DeliverAsync(referral.Completed(3, At(3)));

        var detail = await CaseAsync(caseId);
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("closedAt").ValueKind);
        Assert.Equal("in_progress", detail.GetProperty("referralStatus").GetString());
        // The step to in_progress came after a completion, so it was a reopening, whichever arrived first.
        Assert.Equal(["referral_sent", "referral_accepted", "referral_completed", "referral_reopened"], Actions(detail));
    }

    [Fact]
    public async Task A_completion_leaves_the_case_open_while_another_referral_of_it_is_open()
    {
        var caseId = await RegisterAsync();
        var first = new AReferral(caseId);
        var second = new AReferral(caseId, "140821");
        await DeliverAsync(first.Requested(At(1)));
        await DeliverAsync(second.Requested(At(2)));

        await DeliverAsync(first.Completed(2, At(3)));
        Assert.Equal(JsonValueKind.Null, (await CaseAsync(caseId)).GetProperty("closedAt").ValueKind);

        await DeliverAsync(second.Completed(2, At(4)));
        var detail = await CaseAsync(caseId);
        Assert.Equal(At(4), detail.GetProperty("closedAt").GetDateTimeOffset());
        Assert.Equal(second.Id, Step(detail, "case_closed").GetProperty("referralId").GetGuid());
    }

    [Fact]
    public async Task Events_about_a_case_Intake_does_not_have_are_handled_and_leave_nothing()
    {
        var unknownCase = Guid.NewGuid();
        var referral = new AReferral(unknownCase);

        var accepted = await DeliverAsync(referral.Accepted(2, At(1)));
        await DeliverAsync(referral.Completed(3, At(2)));
        await DeliverAsync(new ReliefActionRecorded { ActionId = Guid.NewGuid(), CaseId = unknownCase, CountyCode = County, Kind = "food", At = At(3) });

        Assert.Equal(0, fixture.Service.Consumed.Faulted(accepted));
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString,
            "select (select count(*) from case_referrals where case_id = @unknownCase) + (select count(*) from case_history where case_id = @unknownCase)",
            new { unknownCase }));
        Assert.Equal(0, await fixture.VirtualHost.CountMessagesMentioningAsync(ErrorQueues.Of<ReferralAcceptedConsumer>("intake"), unknownCase.ToString()));
    }

    [Fact]
    public async Task Point_staff_close_a_case_helped_at_the_point_with_a_coded_outcome_and_a_later_referral_opens_it_again()
    {
        var caseId = await RegisterAsync(need: "Food");
        using var staff = await fixture.Service.ClientForAsync();
        using var linyi = await fixture.Service.ClientForAsync(TestUsers.PointStaff(TestUsers.LinyiPoint, "140821"));
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        var path = new Uri($"/api/cases/{caseId}/close", UriKind.Relative);

        using var unknownOutcome = await staff.PostAsJsonAsync(path, new { outcome = "vanished" });
        using var unchecked_ = await staff.PostAsJsonAsync(path, new { outcome = "collected_by_relatives" });
        using var unsigned = await staff.PostAsJsonAsync(path, new { outcome = "left_of_own_accord", signedStatement = false });
        using var misspelt = await staff.PostAsJsonAsync(path, new { outcome = "relief_given", outcomme = "x" });
        using var elsewhere = await linyi.PostAsJsonAsync(path, new { outcome = "relief_given" });
        using var wrongRole = await station.PostAsJsonAsync(path, new { outcome = "relief_given" });
        using var closed = await staff.PostAsJsonAsync(path, new { outcome = "returned_home" });
        using var again = await staff.PostAsJsonAsync(path, new { outcome = "returned_home" });

        Assert.Equal(HttpStatusCode.BadRequest, unknownOutcome.StatusCode);
        Assert.Contains("outcome", await unknownOutcome.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unchecked_.StatusCode);
        Assert.Contains("collectorIdChecked", await unchecked_.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unsigned.StatusCode);
        Assert.Contains("signedStatement", await unsigned.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, misspelt.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongRole.StatusCode);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var answer = await closed.Content.ReadFromJsonAsync<JsonElement>();
        var subject = await SharedAuthority.SignIn.SubjectAsync(TestUsers.PointStaff());
        var detail = await CaseAsync(caseId);
        Assert.Equal(answer.GetProperty("closedAt").GetDateTimeOffset(), detail.GetProperty("closedAt").GetDateTimeOffset());
        Assert.Equal("returned_home", detail.GetProperty("closingOutcome").GetString());
        Assert.Equal(subject, detail.GetProperty("closedBy").GetString());
        var step = Assert.Single(Timeline(detail));
        Assert.Equal(("case_closed", subject, "returned_home"),
            (step.GetProperty("action").GetString(), step.GetProperty("by").GetString(), step.GetProperty("detail").GetProperty("outcome").GetString()));
        Assert.Equal((await SharedAuthority.SignIn.NameAsync(TestUsers.PointStaff()), TestUsers.YanhuPoint),
            (step.GetProperty("byName").GetString(), step.GetProperty("byOffice").GetString()));

        // A referral sent after all (a reclassification, a re-referral) opens the case again.
        var referral = new AReferral(caseId);
        await DeliverAsync(referral.Requested(DateTimeOffset.UtcNow));
        var reopened = await CaseAsync(caseId);
        Assert.Equal(JsonValueKind.Null, reopened.GetProperty("closedAt").ValueKind);
        Assert.Equal(["case_closed", "referral_sent", "case_reopened"], Actions(reopened));
    }

    [Fact]
    public async Task A_case_with_an_open_referral_is_closed_by_its_completion_not_by_the_point()
    {
        var caseId = await RegisterAsync();
        var referral = new AReferral(caseId);
        await DeliverAsync(referral.Requested(At(1)));
        using var staff = await fixture.Service.ClientForAsync();

        using var refused = await staff.PostAsJsonAsync(new Uri($"/api/cases/{caseId}/close", UriKind.Relative), new { outcome = "relief_given" });

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(referral.Id, problem.GetProperty("referralId").GetGuid());
        Assert.Equal("requested", problem.GetProperty("referralStatus").GetString());
        Assert.Equal(JsonValueKind.Null, (await CaseAsync(caseId)).GetProperty("closedAt").ValueKind);
    }
}
