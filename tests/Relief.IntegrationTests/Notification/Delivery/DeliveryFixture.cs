using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Relief.IntegrationTests.Infrastructure;
using Relief.Notification;
using Relief.Notification.Delivery;
using Relief.Notification.DutyDesk;
using Relief.ServiceDefaults.Data;
using Relief.Testing;

namespace Relief.IntegrationTests.Notification.Delivery;

/// <summary>
/// Notification with quick retries (3 attempts, back-off from 200 ms), beside two local receivers on ports of their own
/// (two target hosts: a slow one and the rest) that stand in for offices' systems, robots and the SMS gateway.
/// </summary>
public sealed class DeliveryFixture : IAsyncLifetime
{
    public const int MaxAttempts = 3;

    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public ServiceHost<NotificationApi> Service { get; private set; } = null!;
    public WebhookReceiver Receiver { get; private set; } = null!;
    /// <summary>A second target host, for the slow webhook.</summary>
    public WebhookReceiver SlowReceiver { get; private set; } = null!;
    public LogCapture Logs { get; } = new();

    public static readonly Uri PortalUrl = new("https://relief.example.gov.cn/");

    public async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        SlowReceiver = await WebhookReceiver.StartAsync();
        VirtualHost = await TestVirtualHost.CreateAsync();
        Service = new ServiceHost<NotificationApi>("notificationdb", TestInfrastructure.NewName("notificationdb"), VirtualHost.AmqpUri,
            new Dictionary<string, string>
            {
                ["Notification:PortalUrl"] = PortalUrl.ToString(),
                ["Notification:Delivery:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Notification:Delivery:FirstBackoff"] = "00:00:00.200",
                ["Notification:Delivery:MaxBackoff"] = "00:00:00.500",
                ["Notification:Delivery:AttemptTimeout"] = "00:00:05",
                ["Notification:Delivery:PollInterval"] = "00:00:00.250",
                ["Notification:Sms:GatewayUrl"] = Receiver.Url("sms/ok-gateway").ToString(),
                ["Notification:Sms:ApiKey"] = WebhookReceiver.SmsApiKey,
            }, Logs);
        _ = Service.Server;
        await Service.WaitUntilReadyAsync();
    }

    public string Db => Service.DatabaseConnectionString;

    /// <summary>A service point of 盐湖区 of its own in Notification's copy of the offices: a desk no other test writes to.</summary>
    public async Task<string> NewPointAsync()
    {
        var code = $"DLV-{Guid.NewGuid():N}"[..16];
        await TestDatabase.ExecuteAsync(Db, """
            insert into offices (code, name, kind, county_code, active, version, changed_at)
            values (@Code, '投递测试服务点', 'service_point', '140802', true, 1, now())
            """, new { Code = code });
        return code;
    }

    /// <summary>Subscribes through the API as 盐湖区's county officer; returns the subscription's id.</summary>
    public async Task<Guid> SubscribeAsync(object request)
    {
        using var officer = await Service.ClientForAsync(TestUsers.CountyOfficer());
        using var response = await officer.PostAsJsonAsync(new Uri("/api/subscriptions", UriKind.Relative), request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public Task<Guid> SubscribeWebhookAsync(string office, string format, Uri url, string? secret) =>
        SubscribeAsync(new { officeCode = office, kind = NotificationKinds.ReferralRequested, channel = "webhook", format, url, secret });

    /// <summary>A referral for the point's desk, as the duty desk writes one.</summary>
    public static DeskItem ItemFor(string office, Guid? referralId = null)
    {
        var referral = referralId ?? Guid.NewGuid();
        return new DeskItem
        {
            Id = Guid.CreateVersion7(),
            Kind = NotificationKinds.ReferralRequested,
            EventKey = $"{referral}:1",
            CaseId = Guid.NewGuid(),
            ReferralId = referral,
            CountyCode = "140802",
            RecipientKind = "service_point",
            RecipientCounty = "140802",
            RecipientOffice = office,
            CaseNumber = $"140802-20261130-{Random.Shared.Next(1000, 9999)}",
            Title = "新转介待接收",
            Message = "案件 140802-20261130-0007 已转介到救助站，请及时接收。",
            Link = $"/referrals/{referral}",
            CreatedAt = DateTimeOffset.UtcNow,
        };
    }

    public Task WriteAsync(DeskItem item, Action<UnitOfWork>? alsoInTheSameUnit = null) =>
        DeskItems.WriteAsync(Service.Services, item, alsoInTheSameUnit);

    /// <summary>The delivery of an item (there is one subscription per test office).</summary>
    public Task<Guid> DeliveryOfAsync(DeskItem item) =>
        TestDatabase.ScalarAsync<Guid>(Db, "select id from deliveries where notification_id = @Id", new { item.Id });

    public Task<string> StatusOfAsync(Guid delivery) =>
        TestDatabase.ScalarAsync<string>(Db, "select status from deliveries where id = @Id", new { Id = delivery });

    public Task WaitUntilAsync(Guid delivery, string status, TimeSpan? timeout = null) =>
        TestDatabase.EventuallyAsync(async () => await StatusOfAsync(delivery) == status, $"delivery {delivery} is {status}", timeout);

    /// <summary>The delivery and its attempts as the delivery log shows them to the county officer.</summary>
    public async Task<JsonElement> LogEntryAsync(Guid delivery)
    {
        using var officer = await Service.ClientForAsync(TestUsers.CountyOfficer());
        return await officer.GetFromJsonAsync<JsonElement>(new Uri($"/api/deliveries/{delivery}", UriKind.Relative));
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Receiver.DisposeAsync();
        await SlowReceiver.DisposeAsync();
    }
}

/// <summary>Writes desk items the way the duty desk does (<see cref="DeskPost"/>): the one place tests write them.</summary>
public static class DeskItems
{
    public static async Task WriteAsync(IServiceProvider services, DeskItem item, Action<UnitOfWork>? alsoInTheSameUnit = null)
    {
        var unit = services.GetRequiredService<UnitOfWorkFactory>().Begin();
        DeskPost.Write(unit, item);
        alsoInTheSameUnit?.Invoke(unit);
        await unit.CommitAsync(CancellationToken.None);
    }
}
