using System.Diagnostics;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MassTransit;
using Npgsql;
using Relief.Intake.Contracts;

namespace Relief.Benchmarks;

/// <summary>
/// The bare baseline the pipeline is measured against (MEASURED.md): a minimal API whose POST validates a case, inserts
/// one row and publishes one MassTransit message (publisher confirms), which a consumer in the same process receives —
/// no authentication, no outbox, no telemetry, no other services. Run as its own process, like the services.
/// With <c>desk</c> it is also the bare duty-desk feed the desk-feed benchmark is measured against: the consumer inserts a
/// desk row and <c>pg_notify</c>s in one statement, and <c>GET /desk/stream</c> LISTENs and pushes each item as the
/// same Server-Sent Event the feed sends (<c>id:</c>, <c>event: desk-item</c>, <c>data: {"feedId":…,"caseId":…}</c>) —
/// no desk addressing, no replay, no authentication.
/// </summary>
internal static class BareBaselineServer
{
    /// <summary>Starts the server as a process of its own (as the services are) and waits until it answers.</summary>
    public static async Task<Process> StartAsync(int port, bool desk)
    {
        string[] arguments = [typeof(BareBaselineServer).Assembly.Location, "baseline-server", port.ToString(CultureInfo.InvariantCulture), .. desk ? ["desk"] : Array.Empty<string>()];
        var server = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  baseline: {e.Data}"); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            await Poll.UntilAsync(async () =>
            {
                using var probe = new LoadGenerator(new Uri($"http://127.0.0.1:{port}/cases"), null, 1);
                return (await probe.FixedRateAsync(1, TimeSpan.FromSeconds(1))).Created > 0;
            }, "the baseline server answers", TimeSpan.FromMinutes(1));
            return server;
        }
        catch
        {
            await StopAsync(server);
            throw;
        }
    }

    public static async Task StopAsync(Process server)
    {
        server.Kill(entireProcessTree: true);
        await server.WaitForExitAsync();
        server.Dispose();
    }

    public sealed record CaseRequest(string? ServicePointCode, string? CountyCode, string? Channel, string? Need);

    private static readonly HashSet<string> Counties =
        ["140802", "140821", "140822", "140823", "140824", "140825", "140826", "140827", "140828", "140829", "140830", "140881", "140882"];

    public static async Task RunAsync(int port, bool desk)
    {
        var postgres = Environment.GetEnvironmentVariable("RELIEF_TEST_POSTGRES") ?? throw new InvalidOperationException("Run bench/run.sh.");
        var amqp = new Uri(Environment.GetEnvironmentVariable("RELIEF_TEST_RABBITMQ")!);
        var management = new Uri(Environment.GetEnvironmentVariable("RELIEF_TEST_RABBITMQ_MANAGEMENT")!);
        var name = $"bare_{Guid.NewGuid():N}"[..13];
        await OutboxBenchmark.CreateVirtualHostAsync(management, amqp, name);
        var database = new NpgsqlConnectionStringBuilder(postgres) { Database = name, NoResetOnClose = true, MaxAutoPrepare = 20, AutoPrepareMinUsages = 2 };
        await using (var server = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgres) { Pooling = false }.ConnectionString))
        {
            await server.OpenAsync();
            await server.ExecuteAsync($"create database {name}");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        builder.Services.AddSingleton(dataSource);
        builder.Services.AddMassTransit(bus =>
        {
            if (desk)
            {
                bus.AddConsumer<DeskBaselineConsumer>();
            }
            else
            {
                bus.AddConsumer<BaselineConsumer>();
            }

            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new UriBuilder(amqp) { Path = "/" + name }.Uri, host => host.PublisherConfirmation = true);
                rabbit.PrefetchCount = 64;
                rabbit.ConfigureEndpoints(context);
            });
        });
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, BaselineJson.Default));

        var app = builder.Build();
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                create table cases (id uuid primary key, county_code char(6) not null, service_point_code text not null,
                                    need text not null, registered_at timestamptz not null);
                create table desk_items (feed_id bigint generated always as identity primary key, case_id uuid not null,
                                         created_at timestamptz not null)
                """);
        }

        if (desk)
        {
            // The headers go out at once, so the reader knows it is connected before the first item.
            app.MapGet("/desk/stream", async (HttpContext context, NpgsqlDataSource db) =>
            {
                context.Response.ContentType = "text/event-stream";
                await context.Response.StartAsync(context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await SseFormatter.WriteAsync(DeskItemsAsync(db, context.RequestAborted), context.Response.Body, context.RequestAborted);
            });
        }

        app.MapPost("/cases", async (CaseRequest request, NpgsqlDataSource db, IPublishEndpoint bus) =>
        {
            if (string.IsNullOrEmpty(request.ServicePointCode) || request.CountyCode is null || !Counties.Contains(request.CountyCode)
                || !Enum.TryParse<ReliefNeed>(request.Need, out var need) || !Enum.TryParse<IntakeChannel>(request.Channel, out var channel))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["invalid"] });
            }

            var registered = new CaseRegistered
            {
                CaseId = Guid.CreateVersion7(), CountyCode = request.CountyCode, ServicePointCode = request.ServicePointCode,
                Channel = channel, Sex = Sex.Unknown, Need = need, RegisteredAt = DateTimeOffset.UtcNow,
            };
            await using (var connection = await db.OpenConnectionAsync())
            {
                await connection.ExecuteAsync(
                    "insert into cases (id, county_code, service_point_code, need, registered_at) values (@CaseId, @CountyCode, @ServicePointCode, @Need, @RegisteredAt)",
                    new { registered.CaseId, registered.CountyCode, registered.ServicePointCode, Need = need.ToString(), registered.RegisteredAt });
            }

            await bus.Publish(registered);
            return Results.Created($"/cases/{registered.CaseId}", new BaselineCreated(registered.CaseId));
        });
        await app.RunAsync();
    }

    /// <summary>
    /// Every desk item as it is notified, on a LISTEN connection of the stream's own: the notification carries the item,
    /// so nothing is read back (the bare least a live feed can do).
    /// </summary>
    private static async IAsyncEnumerable<SseItem<string>> DeskItemsAsync(NpgsqlDataSource db, [EnumeratorCancellation] CancellationToken aborted)
    {
        await using var connection = await db.OpenConnectionAsync(aborted);
        var notified = new Queue<string>();
        connection.Notification += (_, e) => notified.Enqueue(e.Payload);
        await connection.ExecuteAsync("listen desk_feed");
        while (!aborted.IsCancellationRequested)
        {
            try
            {
                await connection.WaitAsync(aborted);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            while (notified.TryDequeue(out var payload))
            {
                long feedId;
                using (var item = JsonDocument.Parse(payload))
                {
                    feedId = item.RootElement.GetProperty("feedId").GetInt64();
                }

                yield return new SseItem<string>(payload, "desk-item") { EventId = feedId.ToString(CultureInfo.InvariantCulture) };
            }
        }
    }

    private sealed class BaselineConsumer : IConsumer<CaseRegistered>
    {
        public Task Consume(ConsumeContext<CaseRegistered> context) => Task.CompletedTask;
    }

    /// <summary>The desk row and its notification in one statement: PostgreSQL sends the notification at its commit.</summary>
    private sealed class DeskBaselineConsumer(NpgsqlDataSource db) : IConsumer<CaseRegistered>
    {
        private const string PostToDesk = """
            with item as (
                insert into desk_items (case_id, created_at) values (@CaseId, now())
                returning feed_id, case_id)
            select pg_notify('desk_feed', json_build_object('feedId', feed_id, 'caseId', case_id)::text) from item
            """;

        public async Task Consume(ConsumeContext<CaseRegistered> context)
        {
            await using var connection = await db.OpenConnectionAsync(context.CancellationToken);
            await connection.ExecuteAsync(PostToDesk, new { context.Message.CaseId });
        }
    }
}

internal sealed record BaselineCreated(Guid Id);

[System.Text.Json.Serialization.JsonSerializable(typeof(BareBaselineServer.CaseRequest))]
[System.Text.Json.Serialization.JsonSerializable(typeof(BaselineCreated))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
internal sealed partial class BaselineJson : System.Text.Json.Serialization.JsonSerializerContext;
