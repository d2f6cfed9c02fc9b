using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.Registry;
using Relief.Registry.Contracts;
using Relief.ServiceDefaults.Messaging;

namespace Relief.IntegrationTests.Resilience;

/// <summary>The outbox and inbox are kept as long as they are useful, and the queues are ready for a cluster.</summary>
public sealed class MessageStoreTests : VirtualHostAndProbe
{

    [Fact]
    public async Task Sent_outbox_rows_and_inbox_rows_past_their_period_are_pruned_and_unsent_or_recent_ones_are_kept()
    {
        await using var registry = new ServiceHost<RegistryApi>("registrydb", TestInfrastructure.NewName("registrydb"), VirtualHost.AmqpUri,
            new Dictionary<string, string> { ["Outbox:KeepSentFor"] = "1.00:00:00", ["Inbox:KeepHandledFor"] = "10.00:00:00" });
        await registry.WaitUntilReadyAsync();
        await TestDatabase.ScalarAsync<long>(registry.DatabaseConnectionString, """
            insert into outbox_messages (id, message_type, payload, created_at, sent_at) values
                ('00000000-0000-0000-0000-000000000001', 'old sent', '{}', now() - interval '3 days', now() - interval '2 days'),
                ('00000000-0000-0000-0000-000000000002', 'recent sent', '{}', now() - interval '1 hour', now() - interval '1 hour');
            insert into outbox_messages (id, message_type, payload, created_at, set_aside_at) values
                ('00000000-0000-0000-0000-000000000003', 'old set aside', '{}', now() - interval '30 days', now() - interval '29 days');
            insert into inbox_messages (message_id, consumer, handled_at) values
                ('00000000-0000-0000-0000-000000000011', 'old', now() - interval '11 days'),
                ('00000000-0000-0000-0000-000000000012', 'recent', now() - interval '9 days');
            select 1::bigint
            """);
        var pruning = registry.Services.GetServices<IHostedService>().OfType<MessageStorePruning>().Single();

        var (outbox, inbox) = await pruning.PruneAsync(CancellationToken.None);

        Assert.Equal((1, 1), (outbox, inbox));
        Assert.Equal(["old set aside", "recent sent"], (await QueryAsync(registry.DatabaseConnectionString,
            "select message_type from outbox_messages where id::text like '00000000-0000-0000-0000-00000000000%' order by message_type")));
        Assert.Equal(["recent"], await QueryAsync(registry.DatabaseConnectionString,
            "select consumer from inbox_messages where message_id::text like '00000000-0000-0000-0000-00000000001%'"));
    }

    [Fact]
    public async Task With_quorum_queues_switched_on_the_service_declares_durable_quorum_queues_and_consumes_from_them()
    {
        await using var registry = new ServiceHost<RegistryApi>("registrydb", TestInfrastructure.NewName("registrydb"), VirtualHost.AmqpUri,
            new Dictionary<string, string> { ["Messaging:QuorumQueues"] = "true" });
        await registry.WaitUntilReadyAsync();
        var registered = new CaseRegistered
        {
            CaseId = Guid.NewGuid(), CountyCode = "140826", ServicePointCode = "JX-CC-002", Channel = IntakeChannel.Outreach,
            Sex = Sex.Female, EstimatedAge = 70, Need = ReliefNeed.Referral, RegisteredAt = DateTimeOffset.UtcNow,
        };

        var messageId = Guid.NewGuid();
        await Probe.PublishAsync(registered, messageId);

        await registry.Consumed.WaitForAsync(messageId);
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(registry.DatabaseConnectionString,
            "select count(*) from person_cases where case_id = @CaseId", new { registered.CaseId }));
        var queue = await VirtualHost.QueueAsync("registry-case-registered");
        Assert.Equal("quorum", queue.GetProperty("type").GetString());
        Assert.True(queue.GetProperty("durable").GetBoolean());
    }

    private static async Task<List<string>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        return (await Dapper.SqlMapper.QueryAsync<string>(connection, sql)).ToList();
    }
}
