using Relief.Intake;

namespace Relief.IntegrationTests.Infrastructure;

/// <summary>
/// An Intake for the Registry hosts that run without one of their own (Registry reads each case's person from Intake):
/// real, on a database and virtual host of its own, started on first use and kept for the run.
/// </summary>
public static class SharedIntake
{
    private static readonly Lazy<ServiceHost<IntakeApi>> Host = new(() =>
    {
        var virtualHost = TestVirtualHost.CreateAsync().GetAwaiter().GetResult();
        var intake = new ServiceHost<IntakeApi>("intakedb", TestInfrastructure.NewName("intakedb"), virtualHost.AmqpUri);
        _ = intake.Server;
        return intake;
    });

    public static HttpMessageHandler CreateHandler() => Host.Value.Server.CreateHandler();
}
