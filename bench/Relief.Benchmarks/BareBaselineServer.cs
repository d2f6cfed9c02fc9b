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
/// </summary>
internal static class BareBaselineServer
{
    public sealed record CaseRequest(string? ServicePointCode, string? CountyCode, string? Channel, string? Need);

    private static readonly HashSet<string> Counties =
        ["140802", "140821", "140822", "140823", "140824", "140825", "140826", "140827", "140828", "140829", "140830", "140881", "140882"];

    public static async Task RunAsync(int port)
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
            bus.AddConsumer<BaselineConsumer>();
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
                                    need text not null, registered_at timestamptz not null)
                """);
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

    private sealed class BaselineConsumer : IConsumer<CaseRegistered>
    {
        public Task Consume(ConsumeContext<CaseRegistered> context) => Task.CompletedTask;
    }
}

internal sealed record BaselineCreated(Guid Id);

[System.Text.Json.Serialization.JsonSerializable(typeof(BareBaselineServer.CaseRequest))]
[System.Text.Json.Serialization.JsonSerializable(typeof(BaselineCreated))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
internal sealed partial class BaselineJson : System.Text.Json.Serialization.JsonSerializerContext;
