using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Relief.IntegrationTests.Infrastructure;
using Relief.ServiceDefaults.Data;

namespace Relief.IntegrationTests.Intake;

/// <summary>
/// Group commit (the registrations of a county share its counter's lock and one flush): units committed together take
/// effect together or not at all, each gets its own row back, and when one fails the others are still kept — each
/// request meets only its own failure.
/// </summary>
public sealed class GroupCommitTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    private string Db => fixture.Service.DatabaseConnectionString;

    private async Task<string> ProbeTableAsync()
    {
        var table = $"group_commit_probe_{Guid.NewGuid():N}"[..30];
        await TestDatabase.ExecuteAsync(Db, $"create table {table} (id int primary key, note text not null)");
        return table;
    }

    private UnitOfWork Insert(string table, int id)
    {
        var unit = fixture.Service.Services.GetRequiredService<UnitOfWorkFactory>().Begin();
        unit.WriteReturning($"insert into {table} (id, note) values (@Id, 'probe') returning id * 10", new { Id = id });
        unit.Write($"update {table} set note = 'second statement' where id = @Id", new { Id = id });
        return unit;
    }

    [Fact]
    public async Task Units_committed_together_each_get_their_own_row_back_in_order()
    {
        var table = await ProbeTableAsync();
        var units = new[] { Insert(table, 3), Insert(table, 1), Insert(table, 2) };

        await UnitOfWork.CommitTogetherAsync(units, CancellationToken.None);

        Assert.Equal([30, 10, 20], units.Select(unit => Convert.ToInt32(unit.Returned![0], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(3, await TestDatabase.ScalarAsync<long>(Db, $"select count(*) from {table} where note = 'second statement'"));
    }

    [Fact]
    public async Task A_batch_with_one_failing_unit_keeps_nothing_and_the_group_commit_then_keeps_every_unit_but_that_one()
    {
        var table = await ProbeTableAsync();

        await Assert.ThrowsAsync<PostgresException>(() =>
            UnitOfWork.CommitTogetherAsync([Insert(table, 1), Insert(table, 1), Insert(table, 2)], CancellationToken.None));
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db, $"select count(*) from {table}"));

        // Through the writer: however the units fall into batches, the duplicate alone fails.
        var group = fixture.Service.Services.GetRequiredService<GroupCommit>();
        var first = Insert(table, 1);
        var duplicate = Insert(table, 1);
        var other = Insert(table, 2);
        var commits = new[] { group.CommitAsync(first, "a"), group.CommitAsync(duplicate, "a"), group.CommitAsync(other, "b") };

        await commits[0];
        var failure = await Assert.ThrowsAsync<PostgresException>(() => commits[1]);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, failure.SqlState);
        await commits[2];
        Assert.Equal(10, Convert.ToInt32(first.Returned![0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(20, Convert.ToInt32(other.Returned![0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("1,2", await TestDatabase.ScalarAsync<string>(Db, $"select string_agg(id::text, ',' order by id) from {table}"));
    }

    [Fact]
    public async Task A_batch_is_one_span_linked_to_the_requests_it_commits_and_its_statements_are_not_traced_again()
    {
        var table = await ProbeTableAsync();
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Relief" or "Npgsql" or "Relief.IntegrationTests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var requests = new ActivitySource("Relief.IntegrationTests");

        var group = fixture.Service.Services.GetRequiredService<GroupCommit>();
        var commits = new List<Task>();
        var callers = new List<ActivityTraceId>();
        foreach (var id in new[] { 1, 2, 3 })
        {
            // Each unit committed from its own request, as a registration is.
            using var request = requests.StartActivity("POST /api/cases", ActivityKind.Server, parentContext: default)!;
            callers.Add(request.TraceId);
            commits.Add(group.CommitAsync(Insert(table, id), "140802"));
        }

        await Task.WhenAll(commits);
        // A batch's span ends just after its units are answered.
        List<Activity> batches = [];
        await TestDatabase.EventuallyAsync(() => Task.FromResult(
            (batches = [.. stopped.Where(span => span.OperationName == GroupCommit.ActivityName
                && span.Links.Any(link => callers.Contains(link.Context.TraceId)))])
            .Sum(span => span.Links.Count(link => callers.Contains(link.Context.TraceId))) == callers.Count), "the batches' spans end");

        // Every request is linked from the batch that committed it, and each batch is a trace of its own.
        Assert.Equal(callers.Select(id => id.ToHexString()).Order(),
            batches.SelectMany(span => span.Links.Select(link => link.Context.TraceId)).Where(callers.Contains).Select(id => id.ToHexString()).Order());
        Assert.All(batches, span => Assert.DoesNotContain(span.TraceId, callers));
        Assert.Equal(3, batches.Sum(span => (int)span.GetTagItem("relief.group_commit.units")!));
        // No database span repeats the units' statements (the test's own reads below come after this look) …
        Assert.DoesNotContain(stopped, span => span.Source.Name == "Npgsql"
            && span.TagObjects.Any(tag => tag.Value is string text && text.Contains(table, StringComparison.Ordinal)));
        // … though they ran.
        Assert.Equal(3, await TestDatabase.ScalarAsync<long>(Db, $"select count(*) from {table} where note = 'second statement'"));
    }
}
