using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Relief.Testing;

namespace Relief.EndToEndTests;

/// <summary>
/// The whole stack as `dotnet run --project AppHost` starts it — PostgreSQL, RabbitMQ, the identity authority and
/// the four services — once for all end-to-end tests, with a first administrator whose password the tests know.
/// </summary>
public sealed class ReliefStack : IAsyncLifetime
{
    public static readonly string[] Services = ["identity", "intake", "registry", "referral", "notification"];

    /// <summary>The first city administrator's password, which the AppHost takes as a parameter.</summary>
    private const string AdminPassword = "e2e-admin-password-0123456789";

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>Real sign-ins at the stack's identity authority.</summary>
    public TestSignIn SignIn { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--Parameters:identity-admin-password={AdminPassword}"]);
        App = await builder.BuildAsync();
        SignIn = new TestSignIn(() => App.CreateHttpClient("identity"), "admin", AdminPassword);

        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await App.StartAsync(startup.Token);
        foreach (var service in Services)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(service, startup.Token);
        }
    }

    /// <summary>A client of the service acting as the given user (point staff of YH-CC-001 by default).</summary>
    public async Task<HttpClient> CreateClientAsync(string service, TestUser? user = null)
    {
        var client = App.CreateHttpClient(service);
        client.DefaultRequestHeaders.Authorization = new("Bearer", await SignIn.TokenAsync(user ?? TestUsers.PointStaff()));
        return client;
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}

[CollectionDefinition(nameof(ReliefStack))]
public sealed class ReliefStackCollection : ICollectionFixture<ReliefStack>;
