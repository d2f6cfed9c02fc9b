using Relief.IntegrationTests.Infrastructure;
using Relief.Registry.Contracts;

namespace Relief.IntegrationTests.Intake;

/// <summary>Intake keeps its own copy of the network's points from Registry's events: the newest version wins.</summary>
public sealed class ServicePointCopyTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    private static ServicePointChanged Version(string code, int version, string status) => new()
    {
        Code = code, Name = $"爱心驿站 v{version}", Kind = "love_station", CountyCode = "140802", Status = status,
        Version = version, ChangedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task The_newest_version_wins_whatever_order_the_events_arrive_in_and_a_redelivery_changes_nothing()
    {
        var code = $"CP-{Guid.NewGuid():N}"[..14].ToUpperInvariant();
        var newest = Guid.NewGuid();
        var older = Guid.NewGuid();

        await fixture.Probe.PublishAsync(Version(code, 3, "suspended"), newest);
        await fixture.Service.Consumed.WaitForAsync(newest, deliveries: 1);
        await fixture.Probe.PublishAsync(Version(code, 2, "embedded"), older);
        await fixture.Probe.PublishAsync(Version(code, 3, "suspended"), newest);
        // Both handled (the older one and the redelivery): a wrong copy would be written by now.
        await fixture.Service.Consumed.WaitForAsync(older, deliveries: 1);
        await fixture.Service.Consumed.WaitForAsync(newest, deliveries: 2);

        var copy = await TestDatabase.ScalarAsync<string>(fixture.Service.DatabaseConnectionString,
            "select status || ' ' || version || ' ' || name from service_points where code = @code", new { code });
        Assert.Equal("suspended 3 爱心驿站 v3", copy);
    }
}
