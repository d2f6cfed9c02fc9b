using Relief.Intake;

namespace Relief.IntegrationTests.Infrastructure;

/// <summary>
/// An Intake for the Registry and Referral hosts that run without one of their own (Registry reads each case's person
/// from Intake, Referral its facts): real, on a database and virtual host of its own, started on first use and kept for
/// the run. Its events stay on its own virtual host: a test registers a case here over the API, then publishes the
/// case's events to the service under test itself, when and as often as the test needs.
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

    public static ServiceHost<IntakeApi> Instance => Host.Value;

    public static HttpMessageHandler CreateHandler() => Host.Value.Server.CreateHandler();
}
