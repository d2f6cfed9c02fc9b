using System.Net.Http.Json;
using Relief.IntegrationTests.Infrastructure;
using Relief.Registry.Contracts;

namespace Relief.IntegrationTests.Protection;

/// <summary>
/// Names and identity numbers registered at Intake travel nowhere they should not: not into logs, spans, messages,
/// error queues or exception texts of any service, and not into the database in clear text.
/// </summary>
public sealed class PersonalDataLeakTests(WholeFlowFixture flow) : IClassFixture<WholeFlowFixture>
{
    [Fact]
    public async Task Names_and_ID_numbers_appear_in_no_log_span_message_or_error_queue()
    {
        var people = new[] { ("欧阳泄漏", NewId()), ("司马无迹", NewId()), ("Leaky McTrace", NewId()) };
        foreach (var (name, idNumber) in people)
        {
            await flow.RegisterReferredCaseAsync(name, idNumber);
        }

        // A message that fails every retry, so the error queue and its exception headers are scanned too.
        await flow.Probe.PublishAsync(new Relief.Intake.Contracts.CaseRegistered
        {
            CaseId = Guid.NewGuid(),
            CountyCode = "14080299",
            ServicePointCode = "YH-CC-001",
            Channel = Relief.Intake.Contracts.IntakeChannel.WalkIn,
            Sex = Relief.Intake.Contracts.Sex.Male,
            Need = Relief.Intake.Contracts.ReliefNeed.Referral,
            RegisteredAt = DateTimeOffset.UtcNow,
        }, Guid.NewGuid());
        IReadOnlyList<string> errorQueues = [];
        await TestDatabase.EventuallyAsync(async () => (errorQueues = await flow.VirtualHost.ReadErrorQueuesAsync()).Count > 0,
            "a failed message reaches an error queue");

        var everywhere = new Dictionary<string, IReadOnlyCollection<string>>
        {
            ["logs"] = flow.Logs.Lines.ToArray(),
            ["spans"] = flow.Spans.Spans.ToArray(),
            ["messages"] = flow.Probe.RawMessages.ToArray(),
            ["error queues"] = errorQueues,
        };
        Assert.NotEmpty(everywhere["logs"]);
        Assert.NotEmpty(everywhere["spans"]);
        Assert.True(everywhere["messages"].Count >= people.Length * 3, "every event of the flow was captured");
        Assert.Contains(everywhere["logs"], line => line.Contains("registered at YH-CC-001", StringComparison.Ordinal));

        var leaks = (from place in everywhere
                     from text in place.Value
                     from secret in people.SelectMany(p => new[] { p.Item1, p.Item2, p.Item2[..17] })
                     where text.Contains(secret, StringComparison.OrdinalIgnoreCase)
                     select $"{place.Key}: '{secret}' in {text[..Math.Min(text.Length, 300)]}").ToList();
        Assert.True(leaks.Count == 0, string.Join(Environment.NewLine, leaks));
    }

    [Fact]
    public async Task The_database_holds_no_ID_number_in_clear_text()
    {
        var idNumber = NewId();
        var ids = await flow.RegisterReferredCaseAsync("明文检查", idNumber);

        foreach (var (database, table) in new[]
        {
            (flow.Intake.DatabaseConnectionString, "cases"), (flow.Intake.DatabaseConnectionString, "outbox_messages"),
            (flow.Intake.DatabaseConnectionString, "audit_log"), (flow.Registry.DatabaseConnectionString, "persons"),
            (flow.Registry.DatabaseConnectionString, "outbox_messages"), (flow.Referral.DatabaseConnectionString, "referrals"),
            (flow.Notification.DatabaseConnectionString, "notifications"),
        })
        {
            var rows = await TestDatabase.ScalarAsync<string>(database, $"select coalesce(string_agg(row_to_json(t)::text, E'\\n'), '') from {table} t");
            Assert.DoesNotContain(idNumber, rows, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(idNumber[6..14], rows, StringComparison.Ordinal); // not even the birth date
        }

        var sealedRow = await TestDatabase.ScalarAsync<long>(flow.Intake.DatabaseConnectionString,
            "select count(*) from cases where id = @Id and id_number_sealed is not null and id_number_key_id = 'k2' and id_number_hash is not null",
            new { Id = ids.CaseId });
        Assert.Equal(1, sealedRow);
    }

    private static string NewId() => WholeFlowFixture.NewIdNumber();
}
