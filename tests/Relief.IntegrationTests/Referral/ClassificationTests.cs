using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.Referral.Classification;
using Relief.Referral.Contracts;
using Relief.Referral.Referrals;
using Relief.Testing;

namespace Relief.IntegrationTests.Referral;

/// <summary>
/// 分类救助 against real PostgreSQL and RabbitMQ: the Referral host reads each case's facts from a real Intake (the shared
/// one, where the tests register the cases over its API), classifies by the rules in force, records why, and refers
/// when the rules say so — once, however the messages of a case arrive.
/// </summary>
public sealed class ClassificationTests(ReferralFixture fixture) : IClassFixture<ReferralFixture>
{
    private string Db => fixture.Service.DatabaseConnectionString;

    /// <summary>Publishes the case's CaseRegistered to Referral and waits until it has been handled.</summary>
    private async Task<Guid> DeliverRegisteredAsync(Guid caseId)
    {
        var messageId = Guid.NewGuid();
        await fixture.Probe.PublishAsync(IntakeCases.Registered(caseId), messageId);
        await fixture.Service.Consumed.WaitForAsync(messageId);
        return messageId;
    }

    private async Task<JsonElement[]> ClassificationsAsync(Guid caseId, TestUser? user = null)
    {
        using var client = await fixture.Service.ClientForAsync(user ?? TestUsers.CityAdministrator());
        var body = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{caseId}/classification", UriKind.Relative));
        return [.. body.EnumerateArray()];
    }

    private Task<long> ReferralsOfAsync(Guid caseId) =>
        TestDatabase.ScalarAsync<long>(Db, "select count(*) from referrals where case_id = @caseId", new { caseId });

    private static JsonElement Fired(JsonElement classification, string code) =>
        classification.GetProperty("fired").EnumerateArray().Single(rule => rule.GetProperty("code").GetString() == code);

    private static string[] Codes(JsonElement classification) =>
        [.. classification.GetProperty("fired").EnumerateArray().Select(rule => rule.GetProperty("code").GetString()!)];

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(item => item.GetString()!)];

    [Fact]
    public async Task Identity_confirmed_with_no_fare_home_gets_a_voucher_home_and_food_at_the_point_and_no_referral()
    {
        var (caseId, caseNumber) = await IntakeCases.RegisterAsync(IntakeCases.Case(["no_fare"], idNumber: IntakeCases.IdNumberAged(34)));
        await IntakeCases.ConfirmIdentityAsync(caseId, "id_card_checked");

        await DeliverRegisteredAsync(caseId);

        var decision = Assert.Single(await ClassificationsAsync(caseId));
        Assert.Equal("relief_at_point", decision.GetProperty("decision").GetString());
        Assert.Equal(JsonValueKind.Null, decision.GetProperty("priority").ValueKind);
        Assert.Equal("registered", decision.GetProperty("trigger").GetString());
        Assert.Equal(["travel_assistance_at_point"], Codes(decision));
        var rule = Fired(decision, "travel_assistance_at_point");
        Assert.Equal(["travel_voucher", "food"], Strings(rule.GetProperty("reliefAtPoint")));
        Assert.Equal(JsonValueKind.Null, rule.GetProperty("referTo").ValueKind);
        Assert.Equal("身份已确认（方式：已核验身份证），无返乡路费或证件遗失：在服务点发放至户籍地（盐湖区（140802））的乘车凭证和必要饮食，不转介",
            rule.GetProperty("explanationZh").GetString());
        Assert.StartsWith("identity confirmed (ID card checked) and no means to get home", rule.GetProperty("explanationEn").GetString(), StringComparison.Ordinal);

        Assert.Equal(0, await ReferralsOfAsync(caseId));
        Assert.Empty(fixture.Probe.Received<ReferralRequested>(m => m.CaseId == caseId));
        var classified = await fixture.Probe.WaitForAsync<CaseClassified>(m => m.CaseId == caseId);
        Assert.Equal(("relief_at_point", "registered"), (classified.Message.Decision, classified.Message.Trigger));
        Assert.Equal(["travel_assistance_at_point"], classified.Message.Rules);
        Assert.Equal(caseNumber, await TestDatabase.ScalarAsync<string>(Db, "select case_number from cases where id = @caseId", new { caseId }));
    }

    [Fact]
    public async Task A_person_whose_identity_is_not_established_is_referred_to_the_countys_station_with_high_priority()
    {
        var (caseId, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["wandering"]));

        await DeliverRegisteredAsync(caseId);

        var requested = await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == caseId);
        Assert.Equal(("140802", "high"), (requested.Message.ReceivingStationCounty, requested.Message.Priority));
        var decision = Assert.Single(await ClassificationsAsync(caseId));
        Assert.Equal(("referral", "high"), (decision.GetProperty("decision").GetString(), decision.GetProperty("priority").GetString()));
        var rule = Fired(decision, "refer_unidentified_to_station");
        Assert.Equal("relief_station", rule.GetProperty("referTo").GetString());
        Assert.Equal("身份未能确认（方式：待确认），转介至本县救助管理站临时照料、寻亲、医疗和安置", rule.GetProperty("explanationZh").GetString());
        Assert.Equal("identity not established (not yet confirmed): referred to the county's relief station for temporary care, family search, medical care and placement",
            rule.GetProperty("explanationEn").GetString());
        // The referral names the decision that opened it, and its history the rules as who opened it.
        Assert.Equal(decision.GetProperty("id").GetGuid(), await TestDatabase.ScalarAsync<Guid>(Db,
            "select classification_id from referrals where case_id = @caseId", new { caseId }));
        Assert.Equal("classification: 系统：分类规则 / system: classification rules", await TestDatabase.ScalarAsync<string>(Db,
            "select by || ': ' || by_name from referral_history where referral_id = @Id", new { Id = requested.Message.ReferralId }));
    }

    [Fact]
    public async Task After_a_transfer_the_station_that_holds_the_case_reads_why_it_was_referred_and_the_one_it_left_does_not()
    {
        var (caseId, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["wandering"]));
        await DeliverRegisteredAsync(caseId);
        var requested = await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == caseId);
        var linyiStation = TestUsers.StationStaff(TestUsers.LinyiStation, "140821");
        Assert.Single(await ClassificationsAsync(caseId, TestUsers.StationStaff()));

        using var city = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        using (var transferred = await city.PostAsJsonAsync(new Uri($"/api/referrals/{requested.Message.ReferralId}/transfer", UriKind.Relative),
            new { version = 1, toCounty = "140821", comment = "本人要求去临猗 / asked to go to Linyi" }))
        {
            Assert.Equal(HttpStatusCode.OK, transferred.StatusCode);
        }

        Assert.Equal("refer_unidentified_to_station", Codes(Assert.Single(await ClassificationsAsync(caseId, linyiStation)))[0]);
        using var yanhu = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        using var left = await yanhu.GetAsync(new Uri($"/api/cases/{caseId}/classification", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, left.StatusCode);
    }

    [Fact]
    public async Task An_ill_or_injured_person_goes_to_hospital_first_and_is_referred_urgently()
    {
        var (caseId, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["ill_or_injured"], ["medical_care"]));

        await DeliverRegisteredAsync(caseId);

        var requested = await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == caseId);
        Assert.Equal("urgent", requested.Message.Priority);
        var decision = Assert.Single(await ClassificationsAsync(caseId));
        Assert.Equal("urgent", decision.GetProperty("priority").GetString());
        Assert.Equal(["refer_unidentified_to_station", "hospital_first"], Codes(decision));
        var rule = Fired(decision, "hospital_first");
        Assert.Equal(["hospital"], Strings(rule.GetProperty("urgentActions")));
        Assert.Equal("患病、受伤或紧急情况：先送医院救治（或报警），再由本县救助管理站跟进", rule.GetProperty("explanationZh").GetString());
    }

    [Fact]
    public async Task A_minor_is_handed_to_child_protection_and_the_police_at_once()
    {
        var (caseId, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["wandering"], estimatedAge: 12));

        await DeliverRegisteredAsync(caseId);

        Assert.Equal("urgent", (await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == caseId)).Message.Priority);
        var decision = Assert.Single(await ClassificationsAsync(caseId));
        var rule = Fired(decision, "child_protection_and_police");
        Assert.Equal(["police", "child_protection"], Strings(rule.GetProperty("urgentActions")));
        Assert.True(rule.GetProperty("escortRequired").GetBoolean());
        Assert.Equal("未成年人（年龄：12 岁）：立即报警并移交未成年人保护机构，转介本县救助管理站，不得让其独自离开",
            rule.GetProperty("explanationZh").GetString());
    }

    [Fact]
    public async Task An_elderly_person_with_a_way_home_is_escorted_or_collected_not_sent_off_alone()
    {
        var (caseId, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["no_fare"], estimatedAge: 78));
        await IntakeCases.ConfirmIdentityAsync(caseId, "police_check");

        await DeliverRegisteredAsync(caseId);

        var decision = Assert.Single(await ClassificationsAsync(caseId));
        Assert.Equal("relief_at_point", decision.GetProperty("decision").GetString());
        Assert.Equal(["travel_assistance_at_point", "escort_never_alone"], Codes(decision));
        var rule = Fired(decision, "escort_never_alone");
        Assert.True(rule.GetProperty("escortRequired").GetBoolean());
        Assert.Equal("老年人或残疾人（年龄：78 岁）：须由亲属接回或护送返乡，不得让其独自离开", rule.GetProperty("explanationZh").GetString());
        Assert.Equal(0, await ReferralsOfAsync(caseId));
    }

    [Fact]
    public async Task A_new_rule_version_applies_to_decisions_made_from_then_on_and_leaves_earlier_ones_as_they_were()
    {
        using var admin = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var before = await admin.GetFromJsonAsync<JsonObject>(new Uri("/api/classification/rules", UriKind.Relative));
        var oldVersion = (int)before!["version"]!;
        var (earlier, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["wandering"]));
        await DeliverRegisteredAsync(earlier);
        var earlierDecision = Assert.Single(await ClassificationsAsync(earlier));

        // The city decides unidentified people wait at normal priority, and says so differently.
        var rules = before["rules"]!.AsArray().DeepClone().AsArray();
        var unidentified = rules.Single(rule => (string?)rule!["code"] == "refer_unidentified_to_station")!;
        unidentified["priority"] = "normal";
        unidentified["explanationZh"] = "身份未能确认（方式：{identityStatus}）：按新规则转介救助管理站";
        try
        {
            using var posted = await admin.PostAsJsonAsync(new Uri("/api/classification/rules", UriKind.Relative),
                new { comment = "身份不明者按一般优先级转介", rules });
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
            var newVersion = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32();
            Assert.Equal(oldVersion + 1, newVersion);
            var inForce = await admin.GetFromJsonAsync<JsonElement>(new Uri("/api/classification/rules", UriKind.Relative));
            Assert.Equal(newVersion, inForce.GetProperty("version").GetInt32());
            Assert.Equal("身份不明者按一般优先级转介", inForce.GetProperty("comment").GetString());
            Assert.Equal(await SharedAuthority.SignIn.SubjectAsync(TestUsers.CityAdministrator()), inForce.GetProperty("createdBy").GetString());
            Assert.Equal(await SharedAuthority.SignIn.NameAsync(TestUsers.CityAdministrator()), inForce.GetProperty("createdByName").GetString());
            var versions = await admin.GetFromJsonAsync<JsonElement>(new Uri("/api/classification/rules/versions", UriKind.Relative));
            Assert.Equal([newVersion, oldVersion], versions.EnumerateArray().Take(2).Select(v => v.GetProperty("version").GetInt32()));
            var old = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/classification/rules/{oldVersion}", UriKind.Relative));
            Assert.True(JsonNode.DeepEquals(before["rules"], JsonNode.Parse(old.GetProperty("rules").GetRawText())), "an earlier version reads as it was");

            var (later, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["wandering"]));
            await DeliverRegisteredAsync(later);

            var laterDecision = Assert.Single(await ClassificationsAsync(later));
            Assert.Equal(newVersion, laterDecision.GetProperty("ruleSetVersion").GetInt32());
            Assert.Equal("normal", laterDecision.GetProperty("priority").GetString());
            Assert.Equal("身份未能确认（方式：待确认）：按新规则转介救助管理站",
                Fired(laterDecision, "refer_unidentified_to_station").GetProperty("explanationZh").GetString());
            Assert.Equal("normal", (await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == later)).Message.Priority);

            // The earlier case is told again of its identity: a new decision by the new rules; the first stays as it was.
            await IntakeCases.ConfirmIdentityAsync(earlier, "not_established");
            var confirmed = Guid.NewGuid();
            await fixture.Probe.PublishAsync(new IdentityConfirmed
            {
                CaseId = earlier, CountyCode = "140802", Method = "not_established", ConfirmedAt = DateTimeOffset.UtcNow,
            }, confirmed);
            await fixture.Service.Consumed.WaitForAsync(confirmed);
            var history = await ClassificationsAsync(earlier);
            Assert.Equal(2, history.Length);
            Assert.Equal((newVersion, "normal", "identity_confirmed"), (history[0].GetProperty("ruleSetVersion").GetInt32(),
                history[0].GetProperty("priority").GetString(), history[0].GetProperty("trigger").GetString()));
            Assert.Equal(earlierDecision.GetRawText(), history[1].GetRawText());
            Assert.Equal(oldVersion, history[1].GetProperty("ruleSetVersion").GetInt32());
            Assert.Equal("high", history[1].GetProperty("priority").GetString());
            // Its referral was open already: re-classifying opens no second one.
            Assert.Equal(1, await ReferralsOfAsync(earlier));
        }
        finally
        {
            // The other tests of this class expect the default rules: in force again, as a version of their own.
            using var restored = await admin.PostAsJsonAsync(new Uri("/api/classification/rules", UriKind.Relative),
                new { comment = "恢复默认规则", rules = before["rules"] });
            Assert.Equal(HttpStatusCode.Created, restored.StatusCode);
        }
    }

    [Fact]
    public async Task The_same_case_registered_twice_and_confirmed_at_once_opens_one_referral_and_records_one_decision()
    {
        var (caseId, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["wandering"]));
        await IntakeCases.ConfirmIdentityAsync(caseId, "self_declared");
        var registered = IntakeCases.Registered(caseId);
        var (first, second, confirmed) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        // Two publications of the event (a relay that published again after a lost confirm), one of them delivered twice,
        // and the identity confirmation: all handled at once, on two queues, all reading the same facts.
        await Task.WhenAll(
            fixture.Probe.PublishAsync(registered, first),
            fixture.Probe.PublishAsync(registered, second),
            fixture.Probe.PublishAsync(registered, first),
            fixture.Probe.PublishAsync(new IdentityConfirmed
            {
                CaseId = caseId, CountyCode = "140802", Method = "self_declared", ConfirmedAt = DateTimeOffset.UtcNow,
            }, confirmed));
        await fixture.Service.Consumed.WaitForAsync(first, deliveries: 2);
        await fixture.Service.Consumed.WaitForAsync(second);
        await fixture.Service.Consumed.WaitForAsync(confirmed);

        Assert.Equal(1, await ReferralsOfAsync(caseId));
        // The event leaves through the outbox after the commit: wait for it before counting it.
        await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == caseId);
        Assert.Single(fixture.Probe.Received<ReferralRequested>(m => m.CaseId == caseId));
        Assert.Single(await ClassificationsAsync(caseId));
        Assert.Equal(0, fixture.Service.Consumed.Faulted(first) + fixture.Service.Consumed.Faulted(second) + fixture.Service.Consumed.Faulted(confirmed));
        Assert.Equal(0, await fixture.VirtualHost.CountMessagesMentioningAsync(ErrorQueues.Of<CaseRegisteredConsumer>("referral"), caseId.ToString()));
    }

    [Fact]
    public async Task An_identity_confirmation_classifies_the_case_again_and_refers_it_when_it_now_needs_the_station()
    {
        var (caseId, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["no_fare"], idNumber: IntakeCases.IdNumberAged(41)));
        await IntakeCases.ConfirmIdentityAsync(caseId, "id_card_checked");
        await DeliverRegisteredAsync(caseId);
        Assert.Equal(0, await ReferralsOfAsync(caseId));

        // The card turns out not to be his: the identity cannot be established after all.
        await IntakeCases.ConfirmIdentityAsync(caseId, "not_established");
        var confirmed = Guid.NewGuid();
        await fixture.Probe.PublishAsync(new IdentityConfirmed
        {
            CaseId = caseId, CountyCode = "140802", Method = "not_established", ConfirmedAt = DateTimeOffset.UtcNow,
        }, confirmed);

        var requested = await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == caseId);
        Assert.Equal("high", requested.Message.Priority);
        var history = await ClassificationsAsync(caseId);
        Assert.Equal(["identity_confirmed", "registered"], history.Select(c => c.GetProperty("trigger").GetString()));
        Assert.Equal(["referral", "relief_at_point"], history.Select(c => c.GetProperty("decision").GetString()));
        Assert.Contains("方式：无法确认", Fired(history[0], "refer_unidentified_to_station").GetProperty("explanationZh").GetString(), StringComparison.Ordinal);

        // Told again with nothing changed: no new decision, no second referral.
        var again = Guid.NewGuid();
        await fixture.Probe.PublishAsync(new IdentityConfirmed
        {
            CaseId = caseId, CountyCode = "140802", Method = "not_established", ConfirmedAt = DateTimeOffset.UtcNow,
        }, again);
        await fixture.Service.Consumed.WaitForAsync(again);
        Assert.Equal(2, (await ClassificationsAsync(caseId)).Length);
        Assert.Equal(1, await ReferralsOfAsync(caseId));
    }

    [Fact]
    public async Task A_record_completed_later_with_an_illness_classifies_the_case_again_and_other_changes_do_not()
    {
        var record = IntakeCases.Case(["no_fare"], estimatedAge: 30);
        var (caseId, _) = await IntakeCases.RegisterAsync(record);
        await IntakeCases.ConfirmIdentityAsync(caseId, "police_check");
        await DeliverRegisteredAsync(caseId);

        // A change the rules do not read: not even a question to Intake.
        var named = Guid.NewGuid();
        await fixture.Probe.PublishAsync(new CaseUpdated
        {
            CaseId = caseId, CountyCode = "140802", ChangedFields = ["personName"], Version = 2, UpdatedAt = DateTimeOffset.UtcNow,
        }, named);
        await fixture.Service.Consumed.WaitForAsync(named);
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from inbox_messages where message_id = @named", new { named }));

        await IntakeCases.UpdateAsync(caseId, 1, IntakeCases.Case(["no_fare", "ill_or_injured"], estimatedAge: 30));
        await fixture.Probe.PublishAsync(new CaseUpdated
        {
            CaseId = caseId, CountyCode = "140802", ChangedFields = ["situations"], Version = 2, UpdatedAt = DateTimeOffset.UtcNow,
        }, Guid.NewGuid());

        Assert.Equal("urgent", (await fixture.Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == caseId)).Message.Priority);
        var history = await ClassificationsAsync(caseId);
        Assert.Equal(["updated", "registered"], history.Select(c => c.GetProperty("trigger").GetString()));
        Assert.Equal(["travel_assistance_at_point", "hospital_first"], Codes(history[0]));
    }

    [Fact]
    public async Task Facts_read_before_those_the_last_decision_came_from_are_not_applied()
    {
        var (caseId, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["wandering"]));
        await DeliverRegisteredAsync(caseId);
        // As if a newer read of the facts had been decided on while this message's read was on its way.
        await TestDatabase.ExecuteAsync(Db, "update cases set facts_as_of = now() + interval '1 hour' where id = @caseId", new { caseId });
        await IntakeCases.UpdateAsync(caseId, 1, IntakeCases.Case(["wandering", "ill_or_injured"]));

        var updated = Guid.NewGuid();
        await fixture.Probe.PublishAsync(new CaseUpdated
        {
            CaseId = caseId, CountyCode = "140802", ChangedFields = ["situations"], Version = 2, UpdatedAt = DateTimeOffset.UtcNow,
        }, updated);
        await fixture.Service.Consumed.WaitForAsync(updated);

        Assert.Single(await ClassificationsAsync(caseId));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from inbox_messages where message_id = @updated", new { updated }));
    }

    [Fact]
    public async Task A_case_Intake_does_not_have_goes_to_the_error_queue_at_once_with_no_effect()
    {
        var unknown = IntakeCases.Registered(Guid.NewGuid());
        var messageId = Guid.NewGuid();
        var errorQueue = ErrorQueues.Of<CaseRegisteredConsumer>("referral");

        await fixture.Probe.PublishAsync(unknown, messageId);

        await TestDatabase.EventuallyAsync(async () => await fixture.VirtualHost.CountMessagesMentioningAsync(errorQueue, unknown.CaseId.ToString()) == 1,
            $"the message is in {errorQueue}", TimeSpan.FromSeconds(60));
        Assert.Equal(0, fixture.Logs.Retries(messageId));
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from cases where id = @CaseId", new { unknown.CaseId }));
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from outbox_messages where payload->>'caseId' = @CaseId",
            new { CaseId = unknown.CaseId.ToString() }));
    }

    [Fact]
    public async Task A_classification_is_read_within_the_readers_scope_and_is_not_found_outside_it()
    {
        var (caseId, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["wandering"]));
        await DeliverRegisteredAsync(caseId);

        foreach (var reader in new[] { TestUsers.PointStaff(), TestUsers.StationStaff(), TestUsers.CountyOfficer() })
        {
            Assert.Single(await ClassificationsAsync(caseId, reader));
        }

        foreach (var outsider in new[]
        {
            TestUsers.PointStaff(TestUsers.LinyiPoint, "140821"), TestUsers.StationStaff(TestUsers.LinyiStation, "140821"), TestUsers.CountyOfficer("140821"),
        })
        {
            using var client = await fixture.Service.ClientForAsync(outsider);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri($"/api/cases/{caseId}/classification", UriKind.Relative))).StatusCode);
        }

        using var admin = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(new Uri($"/api/cases/{Guid.NewGuid()}/classification", UriKind.Relative))).StatusCode);
        using var hotline = await fixture.Service.ClientForAsync(TestUsers.HotlineOperator());
        Assert.Equal(HttpStatusCode.Forbidden, (await hotline.GetAsync(new Uri($"/api/cases/{caseId}/classification", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_rule_set_with_a_bad_field_is_refused_naming_it_and_only_the_city_may_post_one()
    {
        using var admin = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        var inForce = await admin.GetFromJsonAsync<JsonObject>(new Uri("/api/classification/rules", UriKind.Relative));
        var rules = inForce!["rules"]!.AsArray().DeepClone().AsArray();
        rules[2]!["priority"] = "asap";

        using var refused = await admin.PostAsJsonAsync(new Uri("/api/classification/rules", UriKind.Relative), new { comment = "bad", rules });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var reason = problem.GetProperty("errors").GetProperty("rules[2].priority")[0].GetString();
        Assert.Contains("紧急程度", reason, StringComparison.Ordinal);
        Assert.Contains("urgent, high, normal", reason, StringComparison.Ordinal);

        rules[2]!["priority"] = "urgent";
        rules[0]!["when"]!["colour"] = "red";
        using var unknownField = await admin.PostAsJsonAsync(new Uri("/api/classification/rules", UriKind.Relative), new { rules });
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
        Assert.Contains("colour", (await unknownField.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        using var officer = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer());
        using var forbidden = await officer.PostAsJsonAsync(new Uri("/api/classification/rules", UriKind.Relative), new { rules = inForce["rules"] });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var stillInForce = await admin.GetFromJsonAsync<JsonElement>(new Uri("/api/classification/rules", UriKind.Relative));
        Assert.Equal((int)inForce["version"]!, stillInForce.GetProperty("version").GetInt32());
    }
}
