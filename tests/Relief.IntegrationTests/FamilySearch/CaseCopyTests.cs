using Relief.IntegrationTests.Infrastructure;
using Relief.Intake.Contracts;

namespace Relief.IntegrationTests.FamilySearch;

/// <summary>Family search keeps its own copy of each registered case (number, county, point) to scope its work by.</summary>
public sealed class CaseCopyTests(FamilySearchFixture fixture) : IClassFixture<FamilySearchFixture>
{
    [Fact]
    public async Task A_registered_case_is_copied_once_even_when_redelivered()
    {
        var registered = new CaseRegistered
        {
            CaseId = Guid.NewGuid(), CountyCode = "140802", ServicePointCode = "FS-COPY-1", Channel = IntakeChannel.WalkIn,
            Sex = Sex.Male, Need = ReliefNeed.Referral, RegisteredAt = DateTimeOffset.UtcNow, CaseNumber = "140802-20261130-0007",
        };
        var messageId = Guid.NewGuid();
        await fixture.Probe.PublishAsync(registered, messageId);
        await fixture.Service.Consumed.WaitForAsync(messageId);
        await fixture.Probe.PublishAsync(registered, messageId);
        await fixture.Service.Consumed.WaitForAsync(messageId, deliveries: 2);

        var copies = await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString,
            "select count(*) from cases where case_id = @CaseId and case_number = '140802-20261130-0007' and county_code = '140802'",
            new { registered.CaseId });
        Assert.Equal(1, copies);
        var handled = await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString,
            "select count(*) from inbox_messages where message_id = @messageId", new { messageId });
        Assert.Equal(1, handled);
    }
}
