namespace Relief.IntegrationTests.Infrastructure;

/// <summary>One service with a database and virtual host of its own, and a probe on that virtual host.</summary>
public abstract class ServiceHostFixture<TEntryPoint>(string connectionName) : IAsyncLifetime where TEntryPoint : class
{
    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public BusProbe Probe { get; private set; } = null!;
    public ServiceHost<TEntryPoint> Service { get; private set; } = null!;
    public LogCapture Logs { get; } = new();

    public async Task InitializeAsync()
    {
        VirtualHost = await TestVirtualHost.CreateAsync();
        Probe = await BusProbe.StartAsync(VirtualHost.AmqpUri);
        Service = new ServiceHost<TEntryPoint>(connectionName, TestInfrastructure.NewName(connectionName), VirtualHost.AmqpUri, logCapture: Logs);
        _ = Service.Server; // start it: migrations run, consumers bind their queues
        await Service.WaitUntilReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await Probe.DisposeAsync();
        await VirtualHost.DisposeAsync();
    }
}
