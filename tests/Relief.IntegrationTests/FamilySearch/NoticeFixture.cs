using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Relief.FamilySearch;
using Relief.FamilySearch.Deadlines;
using Relief.IntegrationTests.Infrastructure;

namespace Relief.IntegrationTests.FamilySearch;

/// <summary>
/// FamilySearch on a database and virtual host of its own, on a fake clock the tests move (a deadline passing is the clock
/// moved on), reading notice facts from the run's shared Intake, where the tests register real cases.
/// </summary>
public sealed class NoticeFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public BusProbe Probe { get; private set; } = null!;
    public ServiceHost<FamilySearchApi> Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        VirtualHost = await TestVirtualHost.CreateAsync();
        Probe = await BusProbe.StartAsync(VirtualHost.AmqpUri);
        Service = new ServiceHost<FamilySearchApi>("familysearchdb", TestInfrastructure.NewName("familysearchdb"), VirtualHost.AmqpUri)
        {
            TestServices = services => services.AddSingleton<TimeProvider>(Clock),
        };
        _ = Service.Server;
        await Service.WaitUntilReadyAsync();
    }

    /// <summary>Waits until the deadline watcher has made a pass at or after the clock's time now.</summary>
    public async Task WatcherLookedAsync()
    {
        var now = Clock.GetUtcNow();
        await TestDatabase.EventuallyAsync(() => Task.FromResult(Service.Services.GetRequiredService<DeadlineWatcher>().LastPassAt >= now),
            $"the deadline watcher has looked at {now:O}");
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await Probe.DisposeAsync();
        await VirtualHost.DisposeAsync();
    }
}
