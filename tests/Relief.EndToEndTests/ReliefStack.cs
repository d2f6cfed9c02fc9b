using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Relief.Testing;

namespace Relief.EndToEndTests;

/// <summary>
/// The whole stack as `dotnet run --project AppHost` starts it — PostgreSQL, RabbitMQ and the four services —
/// once for all end-to-end tests, with a signing key the tests know so they can mint tokens.
/// </summary>
public sealed class ReliefStack : IAsyncLifetime
{
    public static readonly string[] Services = ["intake", "registry", "referral", "notification"];

    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--Parameters:jwt-signing-key={TestTokens.SigningKey}"]);
        App = await builder.BuildAsync();

        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await App.StartAsync(startup.Token);
        foreach (var service in Services)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(service, startup.Token);
        }
    }

    /// <summary>A client of the service acting as the given user (point staff of YH-CC-001 by default).</summary>
    public HttpClient CreateClient(string service, string? token = null)
    {
        var client = App.CreateHttpClient(service);
        client.DefaultRequestHeaders.Authorization = new("Bearer", token ?? TestUsers.PointStaff());
        return client;
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}

[CollectionDefinition(nameof(ReliefStack))]
public sealed class ReliefStackCollection : ICollectionFixture<ReliefStack>;
