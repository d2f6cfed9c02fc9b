namespace Relief.IntegrationTests.Infrastructure;

/// <summary>
/// A test class whose tests start their own service hosts (with settings of their own) on a virtual host of the class's
/// own, watched by a probe that sees every Relief event published there.
/// </summary>
public abstract class VirtualHostAndProbe : IAsyncLifetime
{
    protected TestVirtualHost VirtualHost { get; private set; } = null!;
    protected BusProbe Probe { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        VirtualHost = await TestVirtualHost.CreateAsync();
        Probe = await BusProbe.StartAsync(VirtualHost.AmqpUri);
    }

    public virtual async Task DisposeAsync()
    {
        await Probe.DisposeAsync();
        await VirtualHost.DisposeAsync();
    }
}
