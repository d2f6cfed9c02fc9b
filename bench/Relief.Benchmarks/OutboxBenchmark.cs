using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Relief.Intake.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Benchmarks;

/// <summary>
/// What the transactional outbox costs: events from a committed transaction through the relay to a consumer, beside the
/// baseline of MassTransit publishing the same events straight to the same consumer — same broker, same machine, same
/// run, so the ratio holds even when the machine is busy.
/// </summary>
internal static class OutboxBenchmark
{
    private const int Runs = 3;
    private const int Writers = 8;

    public static async Task RunAsync(int events)
    {
        var postgres = Environment.GetEnvironmentVariable("RELIEF_TEST_POSTGRES") ?? throw new InvalidOperationException("Run bench/run.sh.");
        var amqp = new Uri(Environment.GetEnvironmentVariable("RELIEF_TEST_RABBITMQ")!);
        var management = new Uri(Environment.GetEnvironmentVariable("RELIEF_TEST_RABBITMQ_MANAGEMENT")!);
        var vhost = $"bench-{Guid.NewGuid():N}"[..14];
        await CreateVirtualHostAsync(management, amqp, vhost);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:benchdb"] = $"{postgres};Database={vhost.Replace('-', '_')}",
            ["ConnectionStrings:messaging"] = new UriBuilder(amqp) { Path = "/" + vhost }.Uri.ToString(),
        });
        builder.AddReliefDatabase("benchdb", typeof(Counter).Assembly);
        builder.AddReliefMessaging("bench", bus => bus.AddConsumer<CountingConsumer>());
        builder.Services.AddSingleton<Counter>();
        using var host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60));

        var counter = host.Services.GetRequiredService<Counter>();
        var bus = host.Services.GetRequiredService<IBus>();
        var units = host.Services.GetRequiredService<UnitOfWorkFactory>();

        Console.WriteLine($"Outbox benchmark: {events} events per run, {Runs} runs, {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"run",-4} {"baseline: publish → consume (msg/s)",38} {"outbox: commit → relay → consume (msg/s)",42} {"outbox/baseline",16}");
        var ratios = new List<double>();
        var baselines = new List<double>();
        var outboxes = new List<double>();
        for (var run = 1; run <= Runs; run++)
        {
            var baseline = await MeasureAsync(counter, events, async () =>
            {
                foreach (var chunk in Enumerable.Range(0, events).Chunk(200))
                {
                    await Task.WhenAll(chunk.Select(_ => bus.Publish(NewEvent())));
                }
            });
            var outbox = await MeasureAsync(counter, events, () => Task.WhenAll(Enumerable.Range(0, Writers).Select(async _ =>
            {
                for (var i = 0; i < events / Writers; i++)
                {
                    var unit = units.Begin();
                    unit.Publish(NewEvent());
                    await unit.CommitAsync(CancellationToken.None);
                }
            })));
            baselines.Add(baseline);
            outboxes.Add(outbox);
            ratios.Add(outbox / baseline);
            Console.WriteLine($"{run,-4} {baseline,38:N0} {outbox,42:N0} {outbox / baseline,16:P0}");
        }

        Console.WriteLine($"{"med",-4} {Median(baselines),38:N0} {Median(outboxes),42:N0} {Median(ratios),16:P0}");
        await host.StopAsync();
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static CaseRegistered NewEvent() => new()
    {
        CaseId = Guid.CreateVersion7(),
        CountyCode = "140802",
        ServicePointCode = "YH-CC-001",
        Channel = IntakeChannel.WalkIn,
        Sex = Sex.Unknown,
        Need = ReliefNeed.Food,
        RegisteredAt = DateTimeOffset.UtcNow,
    };

    private static async Task<double> MeasureAsync(Counter counter, int events, Func<Task> produce)
    {
        var done = counter.Expect(events - events % Writers);
        var clock = Stopwatch.StartNew();
        await produce();
        await done.WaitAsync(TimeSpan.FromMinutes(5));
        return (events - events % Writers) / clock.Elapsed.TotalSeconds;
    }

    internal static async Task CreateVirtualHostAsync(Uri management, Uri amqp, string vhost)
    {
        var user = Uri.UnescapeDataString(amqp.UserInfo.Split(':')[0]);
        using var http = new HttpClient { BaseAddress = management };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(amqp.UserInfo))));
        (await http.PutAsync($"/api/vhosts/{vhost}", null)).EnsureSuccessStatusCode();
        using var permissions = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
        (await http.PutAsync($"/api/permissions/{vhost}/{user}", permissions)).EnsureSuccessStatusCode();
    }
}
