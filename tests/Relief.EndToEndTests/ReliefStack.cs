using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Relief.Testing;

namespace Relief.EndToEndTests;

/// <summary>
/// The whole stack as `./run.sh` starts it — PostgreSQL, RabbitMQ, the identity authority and the four services — on a
/// data folder of its own (never the developer's), with a first administrator whose password the tests know.
/// </summary>
public sealed class ReliefStack : IAsyncDisposable
{
    public static readonly string[] Services = ["identity", "intake", "registry", "referral", "notification", "reporting", "familysearch", "portal"];

    /// <summary>The first city administrator's password, which the AppHost takes as a parameter.</summary>
    public const string AdminPassword = "e2e-admin-password-0123456789";

    private ReliefStack(DistributedApplication app, string dataFolder)
    {
        App = app;
        DataFolder = dataFolder;
        SignIn = new TestSignIn(() => App.CreateHttpClient("identity"), "admin", AdminPassword);
        ConsoleLogs = new ConsoleLogs(app, Services);
    }

    public DistributedApplication App { get; }

    /// <summary>The stack's data folder: secrets, PostgreSQL's cluster, RabbitMQ's node.</summary>
    public string DataFolder { get; }

    /// <summary>What each service wrote to its console since the start (warnings and errors).</summary>
    public ConsoleLogs ConsoleLogs { get; }

    /// <summary>Real sign-ins at the stack's identity authority.</summary>
    public TestSignIn SignIn { get; }

    /// <summary>A new throwaway data folder, removed by <see cref="DeleteDataFolder"/>.</summary>
    public static string NewDataFolder() => Directory.CreateTempSubdirectory("relief-e2e-").FullName;

    /// <summary>Starts the stack on <paramref name="dataFolder"/> and waits until every service is healthy.</summary>
    public static async Task<ReliefStack> StartAsync(string dataFolder)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
        [
            $"--Parameters:identity-admin-password={AdminPassword}",
            $"--Infrastructure:DataFolder={dataFolder}",
            // The portal re-checks sessions every few seconds, so a test sees a disabled user's session end soon.
            "--ServiceSettings:Portal:RecheckEvery=00:00:03",
            // The demo network (~750 requests by one administrator) loads without waiting out the per-user limit.
            "--ServiceSettings:RequestProtection:PermitsPerMinute=100000",
            // A referral of an unidentified person (priority high) not accepted within 5 s goes overdue, and Referral looks
            // for passed deadlines every second: ReferralFlowTests sees one marked in the station's inbox within seconds.
            "--ServiceSettings:Referral:AcceptWithin:high=00:00:05",
            "--ServiceSettings:Referral:DeadlinePollEvery=00:00:01",
        ]);
        var app = await builder.BuildAsync();
        var stack = new ReliefStack(app, dataFolder);
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await app.StartAsync(startup.Token);
        foreach (var service in Services)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(service, startup.Token);
        }

        await stack.EnsureTestPointsAsync();
        return stack;
    }

    /// <summary>
    /// The points the tests register cases at, embedded at Registry — and known to Intake, which refuses cases at points
    /// it does not know — before any test runs. A restarted stack has them already.
    /// </summary>
    private async Task EnsureTestPointsAsync()
    {
        using var registry = await CreateClientAsync("registry", TestUsers.CityAdministrator());
        var data = new StackData(this);
        foreach (var (code, county, lon, lat) in new[] { (TestUsers.YanhuPoint, "140802", 111.0, 35.02), (TestUsers.LinyiPoint, "140821", 110.77, 35.14) })
        {
            using var created = await registry.PostAsJsonAsync("/api/service-points", new
            {
                code, name = $"测试服务点 {code}", kind = "community_center", countyCode = county, address = "测试路 1 号",
                longitude = lon, latitude = lat, openingHours = new { alwaysOpen = true },
            });
            if (created.IsSuccessStatusCode)
            {
                using var embedded = await registry.PostAsJsonAsync($"/api/service-points/{code}/status", new
                {
                    status = "embedded", version = 1, signInstalledOn = "2026-06-01", staffTrainedCount = 2, staffTrainedOn = "2026-06-15",
                });
                embedded.EnsureSuccessStatusCode();
            }
            else if (created.StatusCode != System.Net.HttpStatusCode.Conflict)
            {
                created.EnsureSuccessStatusCode();
            }

            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (await data.ScalarAsync<long>("intakedb", "select count(*) from service_points where code = @code and status = 'embedded'", new { code }) == 0)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Intake has not learnt of {code} within a minute.");
                }

                await Task.Delay(200);
            }
        }
    }

    /// <summary>A client of the service acting as the given user (point staff of YH-CC-001 by default).</summary>
    public async Task<HttpClient> CreateClientAsync(string service, TestUser? user = null)
    {
        var client = App.CreateHttpClient(service);
        client.DefaultRequestHeaders.Authorization = new("Bearer", await SignIn.TokenAsync(user ?? TestUsers.PointStaff()));
        return client;
    }

    /// <summary>The portal's address, as staff open it in the browser.</summary>
    public Uri PortalAddress => App.GetEndpoint("portal", "http");

    /// <summary>Stops every process of the stack (the data folder stays).</summary>
    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await ConsoleLogs.DisposeAsync();
    }

    public static void DeleteDataFolder(string dataFolder)
    {
        if (Directory.Exists(dataFolder))
        {
            Directory.Delete(dataFolder, recursive: true);
        }
    }
}

/// <summary>One stack shared by the end-to-end tests that only read and write through it.</summary>
public sealed class SharedStack : IAsyncLifetime
{
    private readonly string dataFolder = ReliefStack.NewDataFolder();

    public ReliefStack Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await ReliefStack.StartAsync(dataFolder);

    public async Task DisposeAsync()
    {
        await Stack.DisposeAsync();
        ReliefStack.DeleteDataFolder(dataFolder);
    }
}

[CollectionDefinition(nameof(SharedStack))]
public sealed class SharedStackCollection : ICollectionFixture<SharedStack>;
