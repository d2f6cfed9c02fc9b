using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.IntegrationTests.Infrastructure;
using Relief.Referral.Contracts;
using Relief.Testing;

namespace Relief.IntegrationTests.Referral;

public sealed class ReliefLedgerTests(ReferralFixture fixture) : IClassFixture<ReferralFixture>
{
    private string Db => fixture.Service.DatabaseConnectionString;

    private static Uri Entry(Guid caseId, Guid actionId) => new($"/api/cases/{caseId}/relief/{actionId}", UriKind.Relative);

    private static Uri Ledger(Guid caseId) => new($"/api/cases/{caseId}/relief", UriKind.Relative);

    private static async Task AssertFieldErrorAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for {field} in {text}");
        Assert.Contains(" / ", messages[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cash_fare_above_twenty_yuan_or_without_a_signed_receipt_is_refused_and_twenty_with_one_is_recorded()
    {
        using var point = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        var referral = await Referrals.OpenAsync(fixture.Service.Services);

        using (var above = await point.PutAsJsonAsync(Entry(referral.CaseId, Guid.NewGuid()), new { kind = "cash_fare", amount = 20.01m, receiptSigned = true }))
        {
            await AssertFieldErrorAsync(above, "amount");
        }

        using (var unsigned = await point.PutAsJsonAsync(Entry(referral.CaseId, Guid.NewGuid()), new { kind = "cash_fare", amount = 20m }))
        {
            await AssertFieldErrorAsync(unsigned, "receiptSigned");
        }

        using (var noAmount = await point.PutAsJsonAsync(Entry(referral.CaseId, Guid.NewGuid()), new { kind = "cash_fare", receiptSigned = true }))
        {
            await AssertFieldErrorAsync(noAmount, "amount");
        }

        var actionId = Guid.NewGuid();
        using var atLimit = await point.PutAsJsonAsync(Entry(referral.CaseId, actionId), new { kind = "cash_fare", amount = 20m, receiptSigned = true });

        Assert.Equal(HttpStatusCode.Created, atLimit.StatusCode);
        var entry = await atLimit.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((20m, true), (entry.GetProperty("amount").GetDecimal(), entry.GetProperty("receiptSigned").GetBoolean()));
        // Given while the case's referral is open: it belongs to that referral too.
        Assert.Equal(referral.ReferralId, entry.GetProperty("referralId").GetGuid());
        var ledger = await point.GetFromJsonAsync<JsonElement>(Ledger(referral.CaseId));
        Assert.Equal([actionId], ledger.EnumerateArray().Select(e => e.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task A_travel_voucher_needs_a_destination_and_stays_within_its_cap_and_its_event_names_no_destination()
    {
        using var point = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        var referral = await Referrals.OpenAsync(fixture.Service.Services);

        using (var noDestination = await point.PutAsJsonAsync(Entry(referral.CaseId, Guid.NewGuid()), new { kind = "travel_voucher", amount = 80m }))
        {
            await AssertFieldErrorAsync(noDestination, "details.destination");
        }

        using (var aboveCap = await point.PutAsJsonAsync(Entry(referral.CaseId, Guid.NewGuid()),
                   new { kind = "travel_voucher", amount = 500.5m, details = new { destination = "河南省洛阳市", mode = "train" } }))
        {
            await AssertFieldErrorAsync(aboveCap, "amount");
        }

        using (var badMode = await point.PutAsJsonAsync(Entry(referral.CaseId, Guid.NewGuid()),
                   new { kind = "travel_voucher", amount = 80m, details = new { destination = "河南省洛阳市", mode = "plane" } }))
        {
            await AssertFieldErrorAsync(badMode, "details.mode");
        }

        using (var unknownField = await point.PutAsJsonAsync(Entry(referral.CaseId, Guid.NewGuid()),
                   new { kind = "travel_voucher", amount = 80m, details = new { destination = "河南省洛阳市", seat = "12A" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
            Assert.Contains("unknown field 'seat'", await unknownField.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var actionId = Guid.NewGuid();
        using var voucher = await point.PutAsJsonAsync(Entry(referral.CaseId, actionId),
            new { kind = "travel_voucher", amount = 86.5m, details = new { destination = "河南省洛阳市", mode = "train" } });

        Assert.Equal(HttpStatusCode.Created, voucher.StatusCode);
        var recorded = await fixture.Probe.WaitForAsync<ReliefActionRecorded>(m => m.ActionId == actionId);
        Assert.Equal(("travel_voucher", 86.5m, "140802"), (recorded.Message.Kind, recorded.Message.Amount, recorded.Message.CountyCode));
        Assert.DoesNotContain(fixture.Probe.RawMessages, raw => raw.Contains(actionId.ToString(), StringComparison.Ordinal)
            && raw.Contains("洛阳", StringComparison.Ordinal));
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from outbox_messages where payload::text like '%洛阳%'"));
    }

    [Fact]
    public async Task The_same_entry_sent_again_is_one_entry_and_another_under_its_id_is_refused()
    {
        using var point = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        var referral = await Referrals.OpenAsync(fixture.Service.Services);
        var actionId = Guid.NewGuid();
        var food = new { kind = "lodging", details = new { nights = 2, note = "站内住宿 / at the station" } };

        using var first = await point.PutAsJsonAsync(Entry(referral.CaseId, actionId), food);
        using var retry = await point.PutAsJsonAsync(Entry(referral.CaseId, actionId), food);
        // The station sending the same entry (a shared tablet's retry) is the same entry too.
        using var fromStation = await station.PutAsJsonAsync(Entry(referral.CaseId, actionId), food);
        using var other = await point.PutAsJsonAsync(Entry(referral.CaseId, actionId), new { kind = "lodging", details = new { nights = 3 } });

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Conflict),
            (first.StatusCode, retry.StatusCode, fromStation.StatusCode, other.StatusCode));
        Assert.Equal(2, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("details").GetProperty("nights").GetInt32());
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db, "select count(*) from relief_actions where id = @actionId", new { actionId }));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db,
            "select count(*) from outbox_messages where payload->>'actionId' = @Id", new { Id = actionId.ToString() }));

        using var noNights = await point.PutAsJsonAsync(Entry(referral.CaseId, Guid.NewGuid()), new { kind = "lodging" });
        await AssertFieldErrorAsync(noNights, "details.nights");
        using var escort = await point.PutAsJsonAsync(Entry(referral.CaseId, Guid.NewGuid()), new { kind = "escort", details = new { escortBy = "站内两名工作人员" } });
        await AssertFieldErrorAsync(escort, "details.escortTo");
    }

    [Fact]
    public async Task A_voided_entry_stays_marked_with_its_reason_and_who_recorded_and_voided_it_by_name()
    {
        using var point = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        // The station voids what the point recorded: two people, each named on the entry.
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        var referral = await Referrals.OpenAsync(fixture.Service.Services);
        var actionId = Guid.NewGuid();
        using (var recorded = await point.PutAsJsonAsync(Entry(referral.CaseId, actionId), new { kind = "food" }))
        {
            Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
            var answer = await recorded.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((await SharedAuthority.SignIn.NameAsync(TestUsers.PointStaff()), TestUsers.YanhuPoint),
                (answer.GetProperty("recordedByName").GetString(), answer.GetProperty("recordedByOffice").GetString()));
        }

        var voidUri = new Uri($"/api/relief/{actionId}/void", UriKind.Relative);
        using (var noReason = await station.PostAsJsonAsync(voidUri, new { }))
        {
            await AssertFieldErrorAsync(noReason, "reason");
        }

        using var voided = await station.PostAsJsonAsync(voidUri, new { reason = "重复登记 / entered twice" });
        using var again = await station.PostAsJsonAsync(voidUri, new { reason = "重复登记 / entered twice" });
        using var otherReason = await point.PostAsJsonAsync(voidUri, new { reason = "记错了案件 / wrong case" });

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Conflict), (voided.StatusCode, again.StatusCode, otherReason.StatusCode));
        var ledger = await point.GetFromJsonAsync<JsonElement>(Ledger(referral.CaseId));
        var entry = Assert.Single(ledger.EnumerateArray());
        Assert.Equal("重复登记 / entered twice", entry.GetProperty("voidReason").GetString());
        Assert.NotEqual(JsonValueKind.Null, entry.GetProperty("voidedAt").ValueKind);
        // The ids stay for audit; the names and offices beside them are what the ledger's page shows.
        var pointName = await SharedAuthority.SignIn.NameAsync(TestUsers.PointStaff());
        var stationName = await SharedAuthority.SignIn.NameAsync(TestUsers.StationStaff());
        Assert.NotEqual(pointName, stationName);
        Assert.Equal(
            (await SharedAuthority.SignIn.SubjectAsync(TestUsers.PointStaff()), pointName, TestUsers.YanhuPoint,
             await SharedAuthority.SignIn.SubjectAsync(TestUsers.StationStaff()), stationName, TestUsers.YanhuStation),
            (entry.GetProperty("recordedBy").GetString(), entry.GetProperty("recordedByName").GetString(), entry.GetProperty("recordedByOffice").GetString(),
             entry.GetProperty("voidedBy").GetString(), entry.GetProperty("voidedByName").GetString(), entry.GetProperty("voidedByOffice").GetString()));
        var voidedEvent = await fixture.Probe.WaitForAsync<ReliefActionVoided>(m => m.ActionId == actionId);
        Assert.Equal(("food", referral.CaseId), (voidedEvent.Message.Kind, voidedEvent.Message.CaseId));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(Db,
            "select count(*) from outbox_messages where message_type like '%ReliefActionVoided%' and payload->>'actionId' = @Id",
            new { Id = actionId.ToString() }));
        // Staff's names are for the pages, not the bus: both events have crossed it by now.
        await fixture.Probe.WaitForAsync<ReliefActionRecorded>(m => m.ActionId == actionId);
        Assert.DoesNotContain(fixture.Probe.RawMessages, raw => raw.Contains(pointName, StringComparison.Ordinal)
            || raw.Contains(stationName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Relief_is_recorded_for_known_cases_within_the_recorders_scope_only()
    {
        using var point = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        using var otherPoint = await fixture.Service.ClientForAsync(TestUsers.PointStaff(TestUsers.LinyiPoint, "140821"));
        using var linyiStation = await fixture.Service.ClientForAsync(TestUsers.StationStaff(TestUsers.LinyiStation, "140821"));
        using var hotline = await fixture.Service.ClientForAsync(TestUsers.HotlineOperator());
        var referral = await Referrals.OpenAsync(fixture.Service.Services);
        var food = new { kind = "food" };

        using (var unknown = await point.PutAsJsonAsync(Entry(Guid.NewGuid(), Guid.NewGuid()), food))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var elsewhere = await otherPoint.PutAsJsonAsync(Entry(referral.CaseId, Guid.NewGuid()), food))
        {
            Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        }

        using (var otherStation = await linyiStation.GetAsync(Ledger(referral.CaseId)))
        {
            Assert.Equal(HttpStatusCode.NotFound, otherStation.StatusCode);
        }

        using (var wrongRole = await hotline.PutAsJsonAsync(Entry(referral.CaseId, Guid.NewGuid()), food))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrongRole.StatusCode);
        }

        // Once the case is transferred to 临猗县's station, that station holds it and records its relief.
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        await Referrals.ActOkAsync(station, referral.ReferralId, "transfer");
        using var afterTransfer = await linyiStation.PutAsJsonAsync(Entry(referral.CaseId, Guid.NewGuid()), food);
        Assert.Equal(HttpStatusCode.Created, afterTransfer.StatusCode);
        Assert.NotEqual(referral.ReferralId, (await afterTransfer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("referralId").GetGuid());
    }
}
