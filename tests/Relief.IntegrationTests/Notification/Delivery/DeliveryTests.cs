using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Relief.IntegrationTests.Infrastructure;
using Relief.Notification.Delivery;
using Relief.Notification.Subscriptions;
using Relief.Testing;

namespace Relief.IntegrationTests.Notification.Delivery;

public sealed class DeliveryTests(DeliveryFixture fixture) : IClassFixture<DeliveryFixture>
{
    private static string Unique(string behaviour) => $"{behaviour}-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_generic_webhook_gets_the_item_signed_and_the_receiver_verifies_the_signature()
    {
        var office = await fixture.NewPointAsync();
        var path = $"/generic/{Unique("ok")}";
        await fixture.SubscribeWebhookAsync(office, "generic", fixture.Receiver.Url(path), WebhookReceiver.GenericSecret);
        var item = DeliveryFixture.ItemFor(office);

        await fixture.WriteAsync(item);
        var delivery = await fixture.DeliveryOfAsync(item);
        await fixture.WaitUntilAsync(delivery, "delivered");

        var received = Assert.Single(fixture.Receiver.At(path));
        Assert.True(received.Verified, "the receiver verified the HMAC-SHA256 signature over timestamp and body");
        Assert.Equal(delivery.ToString(), received.DeliveryId);
        Assert.Equal(item.Title, received.Body.GetProperty("title").GetString());
        Assert.Equal(item.CaseNumber, received.Body.GetProperty("caseNumber").GetString());
        Assert.Equal(new Uri(DeliveryFixture.PortalUrl, item.Link).ToString(), received.Body.GetProperty("link").GetString());
    }

    [Fact]
    public async Task A_WeCom_robot_gets_a_markdown_message_at_its_keyed_url()
    {
        var office = await fixture.NewPointAsync();
        var path = $"/wecom/{Unique("ok")}";
        await fixture.SubscribeWebhookAsync(office, "wecom", new Uri(fixture.Receiver.Url(path) + $"?key={WebhookReceiver.WeComKey}"), null);
        var item = DeliveryFixture.ItemFor(office);

        await fixture.WriteAsync(item);
        await fixture.WaitUntilAsync(await fixture.DeliveryOfAsync(item), "delivered");

        var received = Assert.Single(fixture.Receiver.At(path));
        Assert.True(received.Verified, "the robot's key and a markdown body");
        var content = received.Body.GetProperty("markdown").GetProperty("content").GetString()!;
        Assert.Contains(item.Title, content, StringComparison.Ordinal);
        Assert.Contains(item.Message, content, StringComparison.Ordinal);
        Assert.Contains(new Uri(DeliveryFixture.PortalUrl, item.Link).ToString(), content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_DingTalk_robot_gets_a_message_at_a_signed_url_it_verifies()
    {
        var office = await fixture.NewPointAsync();
        var path = $"/dingtalk/{Unique("ok")}";
        await fixture.SubscribeWebhookAsync(office, "dingtalk",
            new Uri(fixture.Receiver.Url(path) + $"?access_token={WebhookReceiver.DingTalkToken}"), WebhookReceiver.DingTalkSecret);
        var item = DeliveryFixture.ItemFor(office);

        await fixture.WriteAsync(item);
        await fixture.WaitUntilAsync(await fixture.DeliveryOfAsync(item), "delivered");

        var received = Assert.Single(fixture.Receiver.At(path));
        Assert.True(received.Verified, "the receiver verified timestamp and sign against the robot's secret");
        Assert.Equal(item.Title, received.Body.GetProperty("markdown").GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_robot_answering_with_an_error_code_is_not_taken_for_delivered()
    {
        var office = await fixture.NewPointAsync();
        var path = $"/dingtalk/{Unique("ok")}";
        // The wrong secret: the robot answers 200 with errcode 310000, as DingTalk does.
        await fixture.SubscribeWebhookAsync(office, "dingtalk",
            new Uri(fixture.Receiver.Url(path) + $"?access_token={WebhookReceiver.DingTalkToken}"), "SECnot-the-robots-secret");
        var item = DeliveryFixture.ItemFor(office);

        await fixture.WriteAsync(item);
        var delivery = await fixture.DeliveryOfAsync(item);
        await fixture.WaitUntilAsync(delivery, "failed");

        var log = await fixture.LogEntryAsync(delivery);
        Assert.All(log.GetProperty("attempts").EnumerateArray(),
            attempt => Assert.Equal("robot errcode 310000", attempt.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task An_SMS_subscription_goes_through_the_gateway_with_its_key_and_the_numbers()
    {
        var office = await fixture.NewPointAsync();
        await fixture.SubscribeAsync(new
        {
            officeCode = office, kind = "referral_requested", channel = "sms", phoneNumbers = new[] { "13800138000", "13912345678" },
        });
        var item = DeliveryFixture.ItemFor(office);

        await fixture.WriteAsync(item);
        var delivery = await fixture.DeliveryOfAsync(item);
        await fixture.WaitUntilAsync(delivery, "delivered");

        var received = Assert.Single(fixture.Receiver.At("/sms/ok-gateway"), m => m.DeliveryId == delivery.ToString());
        Assert.True(received.Verified, "the gateway's key as a bearer token");
        Assert.Equal(["13800138000", "13912345678"], received.Body.GetProperty("phoneNumbers").EnumerateArray().Select(n => n.GetString()));
        Assert.Contains(item.Title, received.Body.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("138****8000, 139****5678", (await fixture.LogEntryAsync(delivery)).GetProperty("delivery").GetProperty("target").GetString());
    }

    [Fact]
    public async Task A_500_is_retried_and_the_second_attempt_delivers()
    {
        var office = await fixture.NewPointAsync();
        var path = $"/generic/{Unique("fail-once")}";
        await fixture.SubscribeWebhookAsync(office, "generic", fixture.Receiver.Url(path), WebhookReceiver.GenericSecret);
        var item = DeliveryFixture.ItemFor(office);

        await fixture.WriteAsync(item);
        var delivery = await fixture.DeliveryOfAsync(item);
        await fixture.WaitUntilAsync(delivery, "delivered");

        var attempts = (await fixture.LogEntryAsync(delivery)).GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal(("failed", 500, "HTTP 500"),
            (attempts[0].GetProperty("status").GetString(), attempts[0].GetProperty("httpStatus").GetInt32(), attempts[0].GetProperty("error").GetString()));
        Assert.Equal(("delivered", 200), (attempts[1].GetProperty("status").GetString(), attempts[1].GetProperty("httpStatus").GetInt32()));
        // The same delivery id both times, so the receiver can tell a retry from a new message.
        Assert.All(fixture.Receiver.At(path), m => Assert.Equal(delivery.ToString(), m.DeliveryId));
    }

    [Fact]
    public async Task A_timeout_is_retried_and_the_second_attempt_delivers()
    {
        var office = await fixture.NewPointAsync();
        var path = $"/generic/{Unique("hang-once")}";
        await fixture.SubscribeWebhookAsync(office, "generic", fixture.Receiver.Url(path), WebhookReceiver.GenericSecret);
        var item = DeliveryFixture.ItemFor(office);

        await fixture.WriteAsync(item);
        var delivery = await fixture.DeliveryOfAsync(item);
        await fixture.WaitUntilAsync(delivery, "delivered", TimeSpan.FromSeconds(60));

        var attempts = (await fixture.LogEntryAsync(delivery)).GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal("failed", attempts[0].GetProperty("status").GetString());
        Assert.StartsWith("timeout", attempts[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, attempts[0].GetProperty("httpStatus").ValueKind);
        Assert.Equal("delivered", attempts[1].GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_delivery_failing_every_attempt_is_marked_failed_logged_by_ids_and_shown_in_the_delivery_log()
    {
        var office = await fixture.NewPointAsync();
        var key = Guid.NewGuid().ToString("N");
        var path = $"/wecom/{Unique("always-500")}";
        await fixture.SubscribeWebhookAsync(office, "wecom", new Uri(fixture.Receiver.Url(path) + $"?key={key}"), null);
        var item = DeliveryFixture.ItemFor(office);

        await fixture.WriteAsync(item);
        var delivery = await fixture.DeliveryOfAsync(item);
        await fixture.WaitUntilAsync(delivery, "failed");

        Assert.Equal(DeliveryFixture.MaxAttempts, fixture.Receiver.At(path).Count);
        using var officer = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer());
        var page = await officer.GetFromJsonAsync<JsonElement>(new Uri($"/api/deliveries?status=failed&office={office}", UriKind.Relative));
        var shown = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(delivery, shown.GetProperty("id").GetGuid());
        Assert.Equal(DeliveryFixture.MaxAttempts, shown.GetProperty("attempts").GetInt32());
        Assert.Equal("HTTP 500", shown.GetProperty("lastError").GetString());
        Assert.DoesNotContain(key, shown.GetProperty("target").GetString(), StringComparison.Ordinal);

        // Raised to ops: an error naming the ids, never the robot's key.
        var raised = fixture.Logs.Lines.Where(line => line.Contains("[Error]", StringComparison.Ordinal)
            && line.Contains(delivery.ToString(), StringComparison.Ordinal)).ToList();
        Assert.Single(raised);
        Assert.Contains(item.Id.ToString(), raised[0], StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Logs.Lines, line => line.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_same_desk_item_written_twice_is_delivered_once()
    {
        var office = await fixture.NewPointAsync();
        var path = $"/generic/{Unique("ok")}";
        await fixture.SubscribeWebhookAsync(office, "generic", fixture.Receiver.Url(path), WebhookReceiver.GenericSecret);
        var first = DeliveryFixture.ItemFor(office);
        // The same event again (same referral, kind and desk), as a redelivered message writes it.
        var again = first with { Id = Guid.CreateVersion7() };

        await fixture.WriteAsync(first);
        await fixture.WriteAsync(again);
        var delivery = await fixture.DeliveryOfAsync(first);
        await fixture.WaitUntilAsync(delivery, "delivered");

        // Planning is in the item's own transaction: both writes have committed, so a second delivery would exist now.
        Assert.Equal(1L, await TestDatabase.ScalarAsync<long>(fixture.Db,
            "select count(*) from deliveries d join subscriptions s on s.id = d.subscription_id where s.office_code = @Office", new { Office = office }));
        Assert.Single(fixture.Receiver.At(path));
    }

    [Fact]
    public async Task A_slow_webhook_does_not_hold_up_a_fast_one()
    {
        var slowOffice = await fixture.NewPointAsync();
        var fastOffice = await fixture.NewPointAsync();
        var slowPath = $"/generic/{Unique("slow")}";
        var fastPath = $"/generic/{Unique("ok")}";
        await fixture.SubscribeWebhookAsync(slowOffice, "generic", fixture.SlowReceiver.Url(slowPath), WebhookReceiver.GenericSecret);
        await fixture.SubscribeWebhookAsync(fastOffice, "generic", fixture.Receiver.Url(fastPath), WebhookReceiver.GenericSecret);
        var slow = DeliveryFixture.ItemFor(slowOffice);
        var fast = DeliveryFixture.ItemFor(fastOffice);

        await fixture.WriteAsync(slow);
        await TestDatabase.EventuallyAsync(() => Task.FromResult(fixture.SlowReceiver.Events.Any(e => e.Event == "start:" + slowPath)),
            "the slow webhook is being called");
        await fixture.WriteAsync(fast);
        var fastDelivery = await fixture.DeliveryOfAsync(fast);
        await fixture.WaitUntilAsync(fastDelivery, "delivered");

        // The slow call had not ended (answered or timed out) when the fast one was delivered.
        Assert.DoesNotContain(fixture.SlowReceiver.Events, e => e.Event == "end:" + slowPath);
        Assert.Equal("pending", await fixture.StatusOfAsync(await fixture.DeliveryOfAsync(slow)));
        fixture.SlowReceiver.ReleaseSlow();
    }

    [Fact]
    public async Task A_delivery_claimed_by_an_instance_that_died_is_sent_once_its_claim_lapses()
    {
        var office = await fixture.NewPointAsync();
        var path = $"/generic/{Unique("ok")}";
        await fixture.SubscribeWebhookAsync(office, "generic", fixture.Receiver.Url(path), WebhookReceiver.GenericSecret);
        var orphan = DeliveryFixture.ItemFor(office);
        // Claimed in the same commit, as by an instance that then died: another instance must leave it while the claim holds.
        await fixture.WriteAsync(orphan, unit => unit.Write(
            "update deliveries set claimed_until = now() + interval '1 hour' where notification_id = @Id", new { orphan.Id }));
        var orphanDelivery = await fixture.DeliveryOfAsync(orphan);
        var later = DeliveryFixture.ItemFor(office);
        await fixture.WriteAsync(later);
        await fixture.WaitUntilAsync(await fixture.DeliveryOfAsync(later), "delivered");
        Assert.Equal("pending", await fixture.StatusOfAsync(orphanDelivery));

        await TestDatabase.ExecuteAsync(fixture.Db, "update deliveries set claimed_until = now() - interval '1 second' where id = @Id",
            new { Id = orphanDelivery });
        await fixture.WaitUntilAsync(orphanDelivery, "delivered");

        Assert.Single(fixture.Receiver.At(path), m => m.DeliveryId == orphanDelivery.ToString());
    }

    [Fact]
    public async Task Targets_and_secrets_are_sealed_at_rest_and_shown_masked()
    {
        var office = await fixture.NewPointAsync();
        var key = Guid.NewGuid().ToString("N");
        var id = await fixture.SubscribeWebhookAsync(office, "dingtalk",
            new Uri($"https://oapi.dingtalk.com/robot/send?access_token={key}"), "SEC" + key);

        var stored = await TestDatabase.ScalarAsync<string>(fixture.Db,
            "select concat_ws(' ', s.*) from subscriptions s where id = @Id", new { Id = id });
        Assert.DoesNotContain(key, stored, StringComparison.Ordinal);

        using var officer = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer());
        var listed = await officer.GetStringAsync(new Uri($"/api/subscriptions?office={office}", UriKind.Relative));
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);
        var subscription = Assert.Single(JsonDocument.Parse(listed).RootElement.EnumerateArray());
        Assert.StartsWith("https://oapi.dingtalk.com/…", subscription.GetProperty("target").GetString(), StringComparison.Ordinal);
        Assert.True(subscription.GetProperty("hasSecret").GetBoolean());
    }

    [Fact]
    public async Task After_unsubscribing_nothing_more_is_planned_and_the_change_is_audited()
    {
        var office = await fixture.NewPointAsync();
        var id = await fixture.SubscribeWebhookAsync(office, "generic", fixture.Receiver.Url($"/generic/{Unique("ok")}"), WebhookReceiver.GenericSecret);
        using var officer = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer());

        using (var removed = await officer.DeleteAsync(new Uri($"/api/subscriptions/{id}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        using (var again = await officer.DeleteAsync(new Uri($"/api/subscriptions/{id}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        var item = DeliveryFixture.ItemFor(office);
        await fixture.WriteAsync(item);
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(fixture.Db, "select count(*) from deliveries where notification_id = @Id", new { item.Id }));
        Assert.Equal(["subscribe", "unsubscribe"], await AuditActionsAsync(id));
    }

    private async Task<List<string>> AuditActionsAsync(Guid subscription)
    {
        await using var connection = new Npgsql.NpgsqlConnection(fixture.Db);
        return (await Dapper.SqlMapper.QueryAsync<string>(connection,
            "select action from audit_log where subject = @Subject order by id", new { Subject = subscription.ToString() })).ToList();
    }

    [Fact]
    public async Task A_bad_subscription_is_refused_naming_each_field()
    {
        var office = await fixture.NewPointAsync();
        using var officer = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer());

        using var webhook = await officer.PostAsJsonAsync(new Uri("/api/subscriptions", UriKind.Relative),
            new { officeCode = office, kind = "everything", channel = "webhook", format = "generic", url = "ftp://example.com/x" });
        Assert.Equal(HttpStatusCode.BadRequest, webhook.StatusCode);
        var errors = (await webhook.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["kind", "secret", "url"], errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Contains(" / ", errors.GetProperty("url")[0].GetString(), StringComparison.Ordinal);

        using var sms = await officer.PostAsJsonAsync(new Uri("/api/subscriptions", UriKind.Relative),
            new { officeCode = office, kind = "referral_requested", channel = "sms", phoneNumbers = new[] { "13800138000", "0359-1234567" } });
        Assert.Equal(HttpStatusCode.BadRequest, sms.StatusCode);
        Assert.True((await sms.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("phoneNumbers[1]", out _));

        using var unknown = await officer.PostAsJsonAsync(new Uri("/api/subscriptions", UriKind.Relative),
            new { officeCode = "NO-SUCH-OFFICE", kind = "referral_requested", channel = "webhook", format = "wecom", url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.True((await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("officeCode", out _));

        using var otherCounty = await (await fixture.Service.ClientForAsync(TestUsers.CountyOfficer("140821")))
            .PostAsJsonAsync(new Uri("/api/subscriptions", UriKind.Relative),
                new { officeCode = office, kind = "referral_requested", channel = "webhook", format = "wecom", url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x" });
        Assert.Equal(HttpStatusCode.Forbidden, otherCounty.StatusCode);

        using var unmapped = await officer.PostAsJsonAsync(new Uri("/api/subscriptions", UriKind.Relative),
            new { officeCode = office, kind = "referral_requested", channel = "webhook", format = "wecom", url = "https://q.example/x", color = "red" });
        Assert.Equal(HttpStatusCode.BadRequest, unmapped.StatusCode);
    }

    [Fact]
    public void Without_an_SMS_gateway_an_SMS_subscription_is_refused_saying_so()
    {
        var validator = new SubscriptionRequestValidator(new StaticOptions(new NotificationOptions()));

        var result = validator.Validate(new SubscriptionRequest("YH-CC-001", "referral_requested", "sms", PhoneNumbers: ["13800138000"]));

        var error = Assert.Single(result.Errors);
        Assert.Equal("Channel", error.PropertyName);
        Assert.Contains("SMS gateway", error.ErrorMessage, StringComparison.Ordinal);
    }

    private sealed class StaticOptions(NotificationOptions value) : IOptionsMonitor<NotificationOptions>
    {
        public NotificationOptions CurrentValue => value;
        public NotificationOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<NotificationOptions, string?> listener) => null;
    }
}
