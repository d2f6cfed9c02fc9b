using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.Referral.Contracts;
using Relief.Testing;

namespace Relief.IntegrationTests.Referral;

/// <summary>
/// A case classified again while its referral is open, against real PostgreSQL, RabbitMQ and the shared Intake: a
/// referral the rules sent and nobody has acted on is withdrawn by the system when the rules no longer need the station
/// (or made more urgent when they find it more urgent); one the station accepted, or staff chose, stays, and the new
/// decision says that it differs.
/// </summary>
public sealed class ReclassificationTests(ReferralFixture fixture) : IClassFixture<ReferralFixture>
{
    private string Db => fixture.Service.DatabaseConnectionString;

    /// <summary>Registers a case with no identity document at Intake and delivers its registration: referred at once.</summary>
    private async Task<(Guid CaseId, ReferralRequested Referral)> ReferredAsUnidentifiedAsync(object? record = null)
    {
        var (caseId, _) = await IntakeCases.RegisterAsync(record ?? IntakeCases.Case(["no_fare"]));
        var registered = Guid.NewGuid();
        await fixture.Probe.PublishAsync(IntakeCases.Registered(caseId), registered);
        await fixture.Service.Consumed.WaitForAsync(registered);
        var requested = await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == caseId);
        Assert.Equal(("requested", "high"), await StatusAndPriorityAsync(requested.Message.ReferralId));
        return (caseId, requested.Message);
    }

    /// <summary>身份确认 at Intake, and its IdentityConfirmed delivered to Referral under <paramref name="messageId"/>.</summary>
    private async Task ConfirmAsync(Guid caseId, string method, Guid messageId)
    {
        await IntakeCases.ConfirmIdentityAsync(caseId, method);
        await DeliverConfirmationAsync(caseId, method, messageId);
    }

    private async Task DeliverConfirmationAsync(Guid caseId, string method, Guid messageId, int deliveries = 1)
    {
        await fixture.Probe.PublishAsync(new IdentityConfirmed
        {
            CaseId = caseId, CountyCode = "140802", Method = method, ConfirmedAt = DateTimeOffset.UtcNow,
        }, messageId);
        await fixture.Service.Consumed.WaitForAsync(messageId, deliveries);
    }

    private async Task<JsonElement[]> ClassificationsAsync(Guid caseId)
    {
        using var client = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var body = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{caseId}/classification", UriKind.Relative));
        return [.. body.EnumerateArray()];
    }

    private async Task<(string Status, string Priority)> StatusAndPriorityAsync(Guid referralId) =>
        (await TestDatabase.ScalarAsync<string>(Db, "select status from referrals where id = @referralId", new { referralId }),
         await TestDatabase.ScalarAsync<string>(Db, "select priority from referrals where id = @referralId", new { referralId }));

    /// <summary>The ReferralStatusChanged events of the referral Referral wrote to its outbox (each is published once).</summary>
    private Task<long> StatusEventsWrittenAsync(Guid referralId) => TestDatabase.ScalarAsync<long>(Db, """
        select count(*) from outbox_messages where message_type like '%ReferralStatusChanged%' and payload->>'referralId' = @Id
        """, new { Id = referralId.ToString() });

    private static (Guid ReferralId, string Status, string Effect)? OpenReferralOf(JsonElement classification) =>
        classification.GetProperty("openReferral") is { ValueKind: JsonValueKind.Object } open
            ? (open.GetProperty("referralId").GetGuid(), open.GetProperty("status").GetString()!, open.GetProperty("effect").GetString()!)
            : null;

    [Fact]
    public async Task An_identity_confirmed_with_no_fare_home_withdraws_the_referral_the_station_has_not_accepted_once_however_often_it_is_told()
    {
        var (caseId, referral) = await ReferredAsUnidentifiedAsync();
        var confirmed = Guid.NewGuid();

        await ConfirmAsync(caseId, "police_check", confirmed);

        // Cancelled by the system through the lifecycle: its version, its history, its deadline, its event.
        Assert.Equal("cancelled", (await StatusAndPriorityAsync(referral.ReferralId)).Status);
        Assert.Equal(2, await TestDatabase.ScalarAsync<int>(Db, "select version from referrals where id = @ReferralId", new { referral.ReferralId }));
        Assert.True(await TestDatabase.ScalarAsync<bool>(Db, "select closed_at is not null from referrals where id = @ReferralId", new { referral.ReferralId }));
        var decisions = await ClassificationsAsync(caseId);
        Assert.Equal(["identity_confirmed", "registered"], decisions.Select(c => c.GetProperty("trigger").GetString()));
        var decision = decisions[0];
        Assert.Equal("relief_at_point", decision.GetProperty("decision").GetString());
        Assert.Equal((referral.ReferralId, "requested", "withdrawn"), OpenReferralOf(decision));
        Assert.Null(OpenReferralOf(decisions[1]));

        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        var detail = await Referrals.DetailAsync(station, referral.ReferralId);
        Assert.Equal("cancelled", detail.GetProperty("status").GetString());
        var cancel = Assert.Single(detail.GetProperty("history").EnumerateArray(), step => step.GetProperty("action").GetString() == "cancel");
        Assert.Equal((2, "system", "requested", "cancelled"), (cancel.GetProperty("version").GetInt32(), cancel.GetProperty("by").GetString(),
            cancel.GetProperty("fromStatus").GetString(), cancel.GetProperty("toStatus").GetString()));
        Assert.Equal("重新分类：身份已确认，在服务点救助，撤回尚未接收的转介 / reclassified: identity confirmed, relief at the point, the referral not yet accepted withdrawn",
            cancel.GetProperty("detail").GetProperty("comment").GetString());
        Assert.Equal(decision.GetProperty("id").GetGuid(), cancel.GetProperty("detail").GetProperty("classificationId").GetGuid());
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db,
            "select count(*) from deadlines where referral_id = @ReferralId and fired_at is null and cancelled_at is null", new { referral.ReferralId }));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db,
            "select count(*) from deadlines where referral_id = @ReferralId and kind = 'acceptance' and cancelled_at is not null", new { referral.ReferralId }));

        var changed = await fixture.Probe.WaitForAsync<ReferralStatusChanged>(m => m.ReferralId == referral.ReferralId);
        Assert.Equal(("cancelled", 2, ReferralStatusChanged.Reclassified, caseId), (changed.Message.Status, changed.Message.Sequence,
            changed.Message.Reason, changed.Message.CaseId));
        Assert.Equal("relief_at_point", (await fixture.Probe.WaitForAsync<CaseClassified>(m => m.CaseId == caseId && m.Trigger == "identity_confirmed")).Message.Decision);

        // The same confirmation delivered again, and Intake telling it once more: handled, and nothing more happens.
        await DeliverConfirmationAsync(caseId, "police_check", confirmed, deliveries: 2);
        await DeliverConfirmationAsync(caseId, "police_check", Guid.NewGuid());

        Assert.Equal(1, await StatusEventsWrittenAsync(referral.ReferralId));
        Assert.Single(fixture.Probe.Received<ReferralStatusChanged>(m => m.ReferralId == referral.ReferralId));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db,
            "select count(*) from referral_history where referral_id = @ReferralId and action = 'cancel'", new { referral.ReferralId }));
        Assert.Equal(2, (await ClassificationsAsync(caseId)).Length);
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from referrals where case_id = @caseId", new { caseId }));
    }

    [Fact]
    public async Task A_referral_the_station_has_accepted_stays_with_the_station_and_the_new_decision_says_it_differs()
    {
        var (caseId, referral) = await ReferredAsUnidentifiedAsync();
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        await Referrals.ActOkAsync(station, referral.ReferralId, "accept");

        await ConfirmAsync(caseId, "police_check", Guid.NewGuid());

        var decision = (await ClassificationsAsync(caseId))[0];
        Assert.Equal(("relief_at_point", "identity_confirmed"), (decision.GetProperty("decision").GetString(), decision.GetProperty("trigger").GetString()));
        Assert.Equal((referral.ReferralId, "accepted", "differs"), OpenReferralOf(decision));
        var detail = await Referrals.DetailAsync(station, referral.ReferralId);
        Assert.Equal(("accepted", 2), (detail.GetProperty("status").GetString(), detail.GetProperty("version").GetInt32()));
        Assert.DoesNotContain(detail.GetProperty("history").EnumerateArray(), step => step.GetProperty("by").GetString() == "system");
        Assert.Equal(0, await StatusEventsWrittenAsync(referral.ReferralId));
    }

    [Fact]
    public async Task A_referral_staff_chose_at_registration_is_not_undone_by_a_confirmed_identity()
    {
        var (caseId, referral) = await ReferredAsUnidentifiedAsync(IntakeCases.Case(["no_fare"], need: "Referral"));

        await ConfirmAsync(caseId, "police_check", Guid.NewGuid());

        var decision = (await ClassificationsAsync(caseId))[0];
        Assert.Equal("identity_confirmed", decision.GetProperty("trigger").GetString());
        // The staff's choice still refers; the rest of the decision differs (a lower priority), which the referral keeps.
        Assert.Equal(("referral", "normal"), (decision.GetProperty("decision").GetString(), decision.GetProperty("priority").GetString()));
        Assert.Contains("referral_chosen_by_staff", decision.GetProperty("fired").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
        Assert.Equal((referral.ReferralId, "requested", "differs"), OpenReferralOf(decision));
        Assert.Equal(("requested", "high"), await StatusAndPriorityAsync(referral.ReferralId));
        Assert.Equal(1, await TestDatabase.ScalarAsync<int>(Db, "select version from referrals where id = @ReferralId", new { referral.ReferralId }));
        Assert.Equal(0, await StatusEventsWrittenAsync(referral.ReferralId));
    }

    [Fact]
    public async Task A_more_urgent_decision_raises_the_priority_of_a_referral_not_yet_accepted_and_brings_its_deadline_forward()
    {
        var (caseId, referral) = await ReferredAsUnidentifiedAsync(IntakeCases.Case(["wandering"]));
        var sentAt = referral.SentAt;

        // 补充登记: he is found to be injured — hospital first, urgent.
        await IntakeCases.UpdateAsync(caseId, 1, IntakeCases.Case(["wandering", "ill_or_injured"]));
        var updated = Guid.NewGuid();
        var before = DateTimeOffset.UtcNow;
        await fixture.Probe.PublishAsync(new CaseUpdated
        {
            CaseId = caseId, CountyCode = "140802", ChangedFields = ["situations"], Version = 2, UpdatedAt = DateTimeOffset.UtcNow,
        }, updated);
        await fixture.Service.Consumed.WaitForAsync(updated);
        var after = DateTimeOffset.UtcNow;

        var decision = (await ClassificationsAsync(caseId))[0];
        Assert.Equal(("referral", "urgent"), (decision.GetProperty("decision").GetString(), decision.GetProperty("priority").GetString()));
        Assert.Equal((referral.ReferralId, "requested", "priority_raised"), OpenReferralOf(decision));
        Assert.Equal(("requested", "urgent"), await StatusAndPriorityAsync(referral.ReferralId));
        // Ten minutes from when it became urgent, sooner than the thirty from when it was sent.
        var acceptBy = await TestDatabase.ScalarAsync<DateTime>(Db, "select accept_by from referrals where id = @ReferralId", new { referral.ReferralId });
        Assert.InRange(new DateTimeOffset(acceptBy, TimeSpan.Zero), before.AddMinutes(10).AddSeconds(-1), after.AddMinutes(10).AddSeconds(1));
        Assert.True(new DateTimeOffset(acceptBy, TimeSpan.Zero) < sentAt.AddMinutes(30));
        // The old deadline ended; one at the same level in a new round, due then.
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db, """
            select count(*) from deadlines where referral_id = @ReferralId and kind = 'acceptance' and round = 1 and level = 1 and cancelled_at is not null
            """, new { referral.ReferralId }));
        Assert.Equal(acceptBy, await TestDatabase.ScalarAsync<DateTime>(Db, """
            select due_at from deadlines where referral_id = @ReferralId and kind = 'acceptance' and round = 2 and level = 1
              and fired_at is null and cancelled_at is null
            """, new { referral.ReferralId }));

        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        var detail = await Referrals.DetailAsync(station, referral.ReferralId);
        // Not a change of state: the version the station read is still the one to accept on.
        Assert.Equal(("urgent", 1), (detail.GetProperty("priority").GetString(), detail.GetProperty("version").GetInt32()));
        var note = Assert.Single(detail.GetProperty("history").EnumerateArray(), step => step.GetProperty("action").GetString() == "priority_raised");
        Assert.Equal(("system", "high", "urgent"), (note.GetProperty("by").GetString(),
            note.GetProperty("detail").GetProperty("previousPriority").GetString(), note.GetProperty("detail").GetProperty("priority").GetString()));
        Assert.Equal("重新分类：补充登记后，紧急程度由“优先”提高为“紧急” / reclassified: record completed, priority raised from high to urgent",
            note.GetProperty("detail").GetProperty("comment").GetString());
        Assert.Equal(0, await StatusEventsWrittenAsync(referral.ReferralId));
        await Referrals.ActOkAsync(station, referral.ReferralId, "accept");
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db,
            "select count(*) from deadlines where referral_id = @ReferralId and kind = 'acceptance' and fired_at is null and cancelled_at is null",
            new { referral.ReferralId }));
    }

    [Fact]
    public async Task A_station_accepting_while_the_identity_confirmation_is_classified_either_wins_and_keeps_the_referral_or_finds_it_withdrawn()
    {
        var (caseId, referral) = await ReferredAsUnidentifiedAsync();
        await IntakeCases.ConfirmIdentityAsync(caseId, "police_check");
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        var confirmed = Guid.NewGuid();

        var accepting = Referrals.ActAsync(station, referral.ReferralId, "accept", Referrals.BodyFor("accept", 1));
        await DeliverConfirmationAsync(caseId, "police_check", confirmed);
        using var accepted = await accepting;

        var open = OpenReferralOf((await ClassificationsAsync(caseId))[0]);
        var status = (await StatusAndPriorityAsync(referral.ReferralId)).Status;
        if (accepted.StatusCode == HttpStatusCode.OK)
        {
            Assert.Equal("accepted", status);
            Assert.Equal((referral.ReferralId, "accepted", "differs"), open);
            Assert.Equal(0, await StatusEventsWrittenAsync(referral.ReferralId));
        }
        else
        {
            Assert.Equal(HttpStatusCode.Conflict, accepted.StatusCode);
            Assert.Equal("cancelled", status);
            Assert.Equal((referral.ReferralId, "requested", "withdrawn"), open);
            Assert.Equal(1, await StatusEventsWrittenAsync(referral.ReferralId));
        }

        Assert.Equal(0, fixture.Service.Consumed.Faulted(confirmed));
    }

    [Fact]
    public async Task A_referral_accepted_after_the_classification_read_it_is_not_withdrawn_the_classification_decides_again_on_it()
    {
        var (caseId, referral) = await ReferredAsUnidentifiedAsync();
        await IntakeCases.ConfirmIdentityAsync(caseId, "police_check");
        var confirmed = Guid.NewGuid();

        // The station's accept (as the lifecycle writes it) under way but not yet committed while the confirmation is
        // classified: the classification reads the referral as requested, and its withdrawal waits on the row.
        await using var station = new NpgsqlConnection(Db);
        await station.OpenAsync();
        await using var accepting = await station.BeginTransactionAsync();
        await using (var accept = new NpgsqlCommand("""
            update referrals set status = 'accepted', version = version + 1, accepted_at = now() where id = @id
            """, station, accepting))
        {
            accept.Parameters.AddWithValue("id", referral.ReferralId);
            Assert.Equal(1, await accept.ExecuteNonQueryAsync());
        }

        await fixture.Probe.PublishAsync(new IdentityConfirmed
        {
            CaseId = caseId, CountyCode = "140802", Method = "police_check", ConfirmedAt = DateTimeOffset.UtcNow,
        }, confirmed);
        await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(Db, """
                select count(*) from pg_stat_activity
                where datname = current_database() and wait_event_type = 'Lock' and query like '%update referrals set status%'
                """) == 1, "the withdrawal waits on the referral the station is accepting");
        await accepting.CommitAsync();
        await fixture.Service.Consumed.WaitForAsync(confirmed);

        var decision = (await ClassificationsAsync(caseId))[0];
        Assert.Equal(("relief_at_point", "identity_confirmed"), (decision.GetProperty("decision").GetString(), decision.GetProperty("trigger").GetString()));
        Assert.Equal((referral.ReferralId, "accepted", "differs"), OpenReferralOf(decision));
        Assert.Equal("accepted", (await StatusAndPriorityAsync(referral.ReferralId)).Status);
        Assert.Equal(0, await StatusEventsWrittenAsync(referral.ReferralId));
        Assert.Equal(0, fixture.Service.Consumed.Faulted(confirmed));
        Assert.Equal(2, (await ClassificationsAsync(caseId)).Length);
    }
}
