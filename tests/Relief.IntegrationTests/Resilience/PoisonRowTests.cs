using System.Net.Http.Json;
using System.Text.Json;
using Relief.Intake;
using Relief.Intake.Cases;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.IntegrationTests.Intake;
using Relief.Ops;
using Relief.ServiceDefaults.Messaging;

namespace Relief.IntegrationTests.Resilience;

/// <summary>
/// An outbox row that can never be published (its type is unknown, its payload no longer reads after a contract
/// change) must not hold back the rows behind it, and must not be lost either: it is set aside for ops, shown in
/// health, and published once fixed and re-queued.
/// </summary>
public sealed class PoisonRowTests : VirtualHostAndProbe
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task A_row_that_cannot_be_published_is_set_aside_while_later_rows_flow_and_is_published_once_requeued()
    {
        await using var intake = new ServiceHost<IntakeApi>("intakedb", TestInfrastructure.NewName("intakedb"), VirtualHost.AmqpUri,
            new Dictionary<string, string> { ["Outbox:MaxAttempts"] = "3", ["Outbox:MaxRetryDelay"] = "00:00:01" });
        await intake.WaitUntilReadyAsync();
        var poisonCase = Guid.NewGuid();
        var poison = await InsertPoisonRowAsync(intake.DatabaseConnectionString, poisonCase);
        // What ops see while it is retried (`scripts/ops.sh outbox intake`): an event waits, and since when.
        var waiting = await OutboxOps.BacklogAsync(intake.DatabaseConnectionString, CancellationToken.None);
        Assert.True(waiting.Unsent >= 1 && waiting.OldestUnsent is not null, $"backlog: {waiting.Unsent} unsent since {waiting.OldestUnsent}");
        using var client = await intake.ClientForAsync();

        // Cases registered after the poison row are published while it is still being retried.
        var later = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            later.Add((await (await client.PostCaseAsync(CaseRequests.Valid())).Content.ReadFromJsonAsync<RegisteredCase>())!.Id);
        }

        foreach (var id in later)
        {
            await Probe.WaitForAsync<CaseRegistered>(m => m.CaseId == id);
        }

        await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(intake.DatabaseConnectionString,
            "select count(*) from outbox_messages where id = @poison and set_aside_at is not null", new { poison }) == 1,
            "the poison row is set aside");
        var setAside = Assert.Single(await OutboxOps.SetAsideAsync(intake.DatabaseConnectionString, CancellationToken.None));
        Assert.Equal(poison, setAside.Id);
        Assert.Equal(3, setAside.Attempts);
        Assert.Equal("Unknown message type", setAside.LastError);
        Assert.Equal(1, (await OutboxOps.BacklogAsync(intake.DatabaseConnectionString, CancellationToken.None)).SetAside);
        using var anonymous = intake.CreateClient();
        await TestDatabase.EventuallyAsync(async () => (await anonymous.GetStringAsync(new Uri("/health", UriKind.Relative)))
            .Contains("set aside", StringComparison.Ordinal), "health says an event is set aside");
        Assert.Equal("Degraded", await HealthProbe.StatusAsync(anonymous));

        // The fix (here: the contract's real name) is deployed; ops re-queue the row.
        await TestDatabase.ScalarAsync<long>(intake.DatabaseConnectionString, """
            with fixed as (update outbox_messages set message_type = @Type where id = @poison returning 1) select count(*) from fixed
            """, new { poison, Type = Outbox.TypeName(typeof(CaseRegistered)) });
        Assert.Equal(1, await OutboxOps.RequeueAsync(intake.DatabaseConnectionString, [poison], CancellationToken.None));

        await Probe.WaitForAsync<CaseRegistered>(m => m.CaseId == poisonCase);
        await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(intake.DatabaseConnectionString,
            "select count(*) from outbox_messages where sent_at is null") == 0, "every row is sent");
        await TestDatabase.EventuallyAsync(async () => await HealthProbe.StatusAsync(anonymous) == "Healthy", "health is Healthy again");
    }

    /// <summary>A CaseRegistered written under a type name no build knows, oldest in the outbox.</summary>
    private static async Task<Guid> InsertPoisonRowAsync(string connectionString, Guid caseId)
    {
        var id = Guid.CreateVersion7();
        var payload = JsonSerializer.Serialize(new CaseRegistered
        {
            CaseId = caseId,
            CountyCode = "140802",
            ServicePointCode = "YH-CC-001",
            Channel = IntakeChannel.WalkIn,
            Sex = Sex.Male,
            Need = ReliefNeed.Food,
            RegisteredAt = DateTimeOffset.UtcNow,
        }, WebJson);
        await TestDatabase.ScalarAsync<long>(connectionString, """
            with poison as (
                insert into outbox_messages (id, message_type, payload, created_at)
                values (@id, 'Relief.Intake.Contracts.CaseRegisteredV0, Relief.Intake.Contracts', @payload::jsonb, now() - interval '1 minute')
                returning 1)
            select count(*) from poison
            """, new { id, payload });
        return id;
    }
}
