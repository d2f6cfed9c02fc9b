using Relief.IntegrationTests.Infrastructure;
using Relief.IntegrationTests.Referral;
using Relief.Ops;
using Relief.Referral;
using Relief.Referral.Contracts;
using Relief.Referral.Referrals;

namespace Relief.IntegrationTests.Resilience;

/// <summary>
/// A message that failed for a reason that needed a fix waits in _error — visible in health — until ops move it back
/// (scripts/ops.sh errors-replay); it then takes effect once, even if it is delivered twice.
/// </summary>
public sealed class ErrorQueueReplayTests : VirtualHostAndProbe
{

    [Fact]
    public async Task A_failed_message_replayed_from_the_error_queue_after_the_fix_takes_effect_once()
    {
        var logs = new LogCapture();
        await using var referral = new ServiceHost<ReferralApi>("referraldb", TestInfrastructure.NewName("referraldb"), VirtualHost.AmqpUri, logCapture: logs);
        await referral.WaitUntilReadyAsync();
        var errorQueue = ErrorQueues.Of<CaseRegisteredConsumer>("referral");
        // A case number column too narrow for Intake's numbers: a permanent fault, until the schema is fixed.
        await TestDatabase.ExecuteAsync(referral.DatabaseConnectionString, "alter table cases alter column case_number type varchar(6)");
        var (caseId, _) = await IntakeCases.RegisterAsync(IntakeCases.Case(["wandering"]));
        var person = IntakeCases.Registered(caseId);
        var messageId = Guid.NewGuid();
        await Probe.PublishAsync(person, messageId);
        await TestDatabase.EventuallyAsync(async () => await VirtualHost.CountMessagesMentioningAsync(errorQueue, person.CaseId.ToString()) == 1,
            $"the message is in {errorQueue}");
        using var anonymous = referral.CreateClient();
        await TestDatabase.EventuallyAsync(async () => (await anonymous.GetStringAsync(new Uri("/health", UriKind.Relative)))
            .Contains($"1 in {errorQueue}", StringComparison.Ordinal), "health names the _error queue");
        Assert.Equal("Degraded", await HealthProbe.StatusAsync(anonymous));

        // The fix is deployed (here: the column as wide as it should be); ops move the message back.
        await TestDatabase.ExecuteAsync(referral.DatabaseConnectionString, "alter table cases alter column case_number type text");
        var moved = await ErrorQueueReplay.ReplayAsync(VirtualHost.AmqpUri, errorQueue, CancellationToken.None);

        Assert.Equal(1, moved);
        await Probe.WaitForAsync<ReferralRequested>(m => m.CaseId == person.CaseId);
        // The same message again, as a replay interrupted between publishing and acknowledging would deliver it.
        await Probe.PublishAsync(person, messageId);
        await referral.Consumed.WaitForAsync(messageId, deliveries: 2);
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(referral.DatabaseConnectionString,
            "select count(*) from referrals where case_id = @CaseId", new { person.CaseId }));
        Assert.Single(Probe.Received<ReferralRequested>(m => m.CaseId == person.CaseId));
        Assert.Equal(0, await ErrorQueueReplay.ReplayAsync(VirtualHost.AmqpUri, errorQueue, CancellationToken.None));
        await TestDatabase.EventuallyAsync(async () => await HealthProbe.StatusAsync(anonymous) == "Healthy", "health is Healthy again");
    }
}
