using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Relief.Intake;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.IntegrationTests.Intake;
using Relief.Referral.Contracts;
using Relief.Testing;

namespace Relief.IntegrationTests.Resilience;

/// <summary>
/// A service whose consumers have gone from the broker while the service runs on — what MassTransit sometimes leaves
/// after a broker restart (its consumers not reconnecting, MassTransit#2072/#5692) — gets them back by itself: the
/// health monitor sees its queues without consumer past the grace and restarts the bus. Played here by stopping the
/// service's bus behind its back, which leaves the broker as that fault does: the queues there, nobody consuming.
/// </summary>
public sealed class LostConsumerTests : VirtualHostAndProbe
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_service_whose_consumers_left_the_broker_restarts_its_bus_and_takes_what_waited_and_sends_what_it_held()
    {
        var database = TestInfrastructure.NewName("intakedb");
        var logs = new LogCapture();
        await using var intake = new ServiceHost<IntakeApi>("intakedb", database, VirtualHost.AmqpUri,
            new Dictionary<string, string> { ["Health:ConsumerlessGrace"] = Grace.ToString() }, logs);
        await intake.WaitUntilReadyAsync();
        using var staff = await intake.ClientForAsync();
        using var anonymous = intake.CreateClient();

        // Stopped, its consumers are cancelled at the broker; the grace (5 s) leaves time for what follows to wait.
        await intake.Services.GetRequiredService<IBusControl>().StopAsync();
        // Meanwhile a case is registered (its event waits in the outbox) and Referral's event for it waits in the queue.
        using var response = await staff.PostCaseAsync(CaseRequests.Valid(need: "Referral"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var caseId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var referral = new ReferralRequested
        {
            ReferralId = Guid.NewGuid(), CaseId = caseId, CountyCode = "140802", ReceivingStationCounty = "140802",
            ServicePointCode = TestUsers.YanhuPoint, Priority = "urgent", AcceptBy = DateTimeOffset.UtcNow.AddMinutes(30),
            Sequence = 1, SentAt = DateTimeOffset.UtcNow,
        };
        var messageId = Guid.NewGuid();
        await Probe.PublishAsync(referral, messageId);

        await intake.Consumed.WaitForAsync(messageId, timeout: TimeSpan.FromSeconds(60));
        await Probe.WaitForAsync<CaseRegistered>(registered => registered.CaseId == caseId, TimeSpan.FromSeconds(60));

        Assert.Contains(logs.Lines, line => line.Contains("restarting the bus", StringComparison.Ordinal)
            && line.Contains("intake-referral-requested", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, line => line.Contains("Bus restarted", StringComparison.Ordinal));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(intake.DatabaseConnectionString,
            "select count(*) from case_referrals where referral_id = @ReferralId", new { referral.ReferralId }));
        await TestDatabase.EventuallyAsync(async () => await HealthProbe.StatusAsync(anonymous) == "Healthy",
            "health is back to Healthy once the queues are consumed again");
        var consumers = (await anonymous.GetFromJsonAsync<JsonElement>(new Uri("/health", UriKind.Relative)))
            .GetProperty("checks").GetProperty("consumers");
        Assert.Equal("Healthy", consumers.GetProperty("status").GetString());
        Assert.Contains("last restarted for a lost consumer", consumers.GetProperty("description").GetString(), StringComparison.Ordinal);
    }
}
