using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Relief.Testing;
using Xunit.Abstractions;

namespace Relief.EndToEndTests;

/// <summary>
/// "Nothing is lost", shown rather than argued: the whole stack under a steady stream of registrations while its broker
/// is killed three times and frozen until 400 events pile up behind it, and its database is killed once — the real
/// servers, with kill -9 and SIGSTOP. Afterwards every case answered 2xx has exactly one person, one referral and one duty-desk notification.
/// </summary>
public sealed class FaultTests(ITestOutputHelper testOutput) : IAsyncLifetime
{
    /// <summary>Where the test's account of what it did and counted is written as it goes; tests/run.sh prints it.</summary>
    public static readonly string ReportFile = Path.Combine(Path.GetTempPath(), "relief-fault-test.txt");

    private const int Registrations = 2000;
    private const int Clients = 16;
    /// <summary>Slow enough that the faults, and the recoveries between them, fall inside the stream of registrations.</summary>
    private const double RegistrationsPerSecond = 22;

    private readonly string folder = ReliefStack.NewDataFolder();
    private ReliefStack stack = null!;
    private StackData data = null!;

    private Report output = null!;

    public async Task InitializeAsync()
    {
        output = new Report(testOutput, ReportFile);
        stack = await ReliefStack.StartAsync(folder);
        data = new StackData(stack);
    }

    /// <summary>Each line to the test's output and, with its time, to <see cref="ReportFile"/>.</summary>
    private sealed class Report(ITestOutputHelper output, string file)
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private readonly object gate = new();

        public void WriteLine(string line)
        {
            output.WriteLine(line);
            lock (gate)
            {
                File.AppendAllText(file, $"[{clock.Elapsed.TotalSeconds,5:F0} s] {line}{Environment.NewLine}");
            }
        }
    }

    private sealed record Answer(int Number, HttpStatusCode? Status, Guid? CaseId, string? ContentType, string? Failure);

    [Fact]
    public async Task Registrations_through_three_broker_kills_a_30_s_broker_freeze_and_a_database_kill_lose_and_double_nothing()
    {
        File.WriteAllText(ReportFile, $"Fault test: {Registrations} registrations from {Clients} clients{Environment.NewLine}");
        var tokens = await SignInPointStaffAsync(Clients);
        var issued = 0;
        var faultsDone = new TaskCompletionSource();
        var answers = new ConcurrentBag<Answer>();
        var clock = Stopwatch.StartNew();

        async Task Client(string token)
        {
            using var intake = stack.App.CreateHttpClient("intake");
            intake.DefaultRequestHeaders.Authorization = new("Bearer", token);
            intake.Timeout = TimeSpan.FromSeconds(60);
            while (true)
            {
                var number = Interlocked.Increment(ref issued);
                if (number > Registrations)
                {
                    return;
                }

                // The last registrations wait until every fault has happened, so all of them fall inside the load.
                if (number > Registrations - 200)
                {
                    await faultsDone.Task;
                }

                var due = TimeSpan.FromSeconds(number / RegistrationsPerSecond);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed); // pacing the load, not waiting for a result
                }

                answers.Add(await RegisterAsync(intake, number));
            }
        }

        var load = Task.WhenAll(tokens.Select(Client));
        var faults = InjectFaultsAsync(() => Volatile.Read(ref issued), faultsDone);
        await Task.WhenAll(load, faults);
        output.WriteLine($"load of {Registrations} registrations took {clock.Elapsed.TotalSeconds:F0} s");

        var accepted = answers.Where(a => a.Status == HttpStatusCode.Created).Select(a => a.CaseId!.Value).ToList();
        var unavailable = answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        var other = answers.Where(a => a.Status is not (HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable)).ToList();
        output.WriteLine($"answers: {accepted.Count} × 201, {unavailable.Count} × 503, {other.Count} other " +
            string.Join(", ", other.GroupBy(a => a.Status?.ToString() ?? a.Failure).Select(g => $"{g.Key} × {g.Count()}")));

        // Every answer is 201 or a 503 with problem details (the database was away) — never a 500, never no answer.
        Assert.Empty(other);
        Assert.All(unavailable, a => Assert.Equal("application/problem+json", a.ContentType));
        Assert.True(accepted.Count >= Registrations / 2, $"only {accepted.Count} registrations were accepted");

        // Everything accepted reaches the end of the flow, then nothing is left in flight that could double it.
        try
        {
            await Eventually.TrueAsync(async () => await CompletedAsync(accepted) == accepted.Count,
                "every accepted case has its person, referral and notification", TimeSpan.FromMinutes(6), TimeSpan.FromSeconds(3));
        }
        catch (TimeoutException)
        {
            await DescribeTheBrokerAsync();
            foreach (var line in stack.ConsoleLogs.Describe())
            {
                output.WriteLine(line);
            }

            throw;
        }
        output.WriteLine("every accepted case has reached the duty desk");
        await Eventually.TrueAsync(QuiescentAsync, "every outbox is sent and every queue drained", TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(1));
        output.WriteLine("every outbox is sent and every queue drained");

        var persons = await CountsAsync("registrydb", "select first_case_id as case_id, count(*) as n from persons where first_case_id = any(@ids) group by first_case_id", accepted);
        var referrals = await CountsAsync("referraldb", "select case_id, count(*) as n from referrals where case_id = any(@ids) group by case_id", accepted);
        // The referral's own notification: one that went overdue during the run has escalations beside it, rightly.
        var notifications = await CountsAsync("notificationdb",
            "select case_id, count(*) as n from notifications where case_id = any(@ids) and kind = 'referral_requested' group by case_id", accepted);
        var stationKnown = await data.ScalarAsync<long>("intakedb",
            "select count(*) from cases where id = any(@ids) and referred_to_station_county is not null", new { ids = accepted.ToArray() });
        var errorQueues = (await data.QueuesAsync()).Where(q => q.Name.EndsWith("_error", StringComparison.Ordinal)).ToList();

        foreach (var (what, counts) in new[] { ("persons", persons), ("referrals", referrals), ("notifications", notifications) })
        {
            output.WriteLine($"{what}: {counts.Count(c => c.Value == 1)} exactly once, {accepted.Count - counts.Count} lost, " +
                $"{counts.Count(c => c.Value > 1)} duplicated");
        }

        output.WriteLine($"cases that know their receiving station: {stationKnown} of {accepted.Count}; " +
            $"messages left in _error: {errorQueues.Sum(q => q.Messages)} ({errorQueues.Count} _error queues)");

        Assert.All(new[] { persons, referrals, notifications }, counts =>
        {
            Assert.Equal(accepted.Count, counts.Count);
            Assert.All(counts.Values, n => Assert.Equal(1, n));
        });
        Assert.Equal(accepted.Count, stationKnown);
        Assert.Equal(0, errorQueues.Sum(q => q.Messages));
    }

    private static async Task<Answer> RegisterAsync(HttpClient intake, int number)
    {
        try
        {
            using var response = await intake.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
            {
                servicePointCode = TestUsers.YanhuPoint,
                countyCode = "140802",
                channel = "WalkIn",
                sex = "Male",
                estimatedAge = 40 + number % 40,
                need = "Referral",
                circumstances = $"Fault test registration {number}.",
            });
            Guid? caseId = response.StatusCode == HttpStatusCode.Created
                ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid()
                : null;
            return new Answer(number, response.StatusCode, caseId, response.Content.Headers.ContentType?.MediaType, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Answer(number, null, null, null, e.GetType().Name);
        }
    }

    /// <summary>
    /// kill -9 of RabbitMQ at three points; SIGSTOP at a fourth, held until 400 events wait in Intake's outbox behind the
    /// frozen broker (registrations go on meanwhile); kill -9 of PostgreSQL at a fifth.
    /// </summary>
    private async Task InjectFaultsAsync(Func<int> issued, TaskCompletionSource done)
    {
        var timeout = TimeSpan.FromMinutes(2);
        try
        {
            foreach (var at in new[] { 100, 400, 700 })
            {
                await Eventually.TrueAsync(() => Task.FromResult(issued() >= at), $"{at} registrations are issued", timeout);
                var broker = data.RabbitMQPid;
                StackData.Signal(broker, "KILL");
                output.WriteLine($"at {issued()}: RabbitMQ (pid {broker}) killed with kill -9");
                await StackData.WaitForNewPidAsync(() => data.RabbitMQPid, broker, data.RabbitMQAnswersAsync, "RabbitMQ", timeout);
                output.WriteLine($"at {issued()}: RabbitMQ back (pid {data.RabbitMQPid})");
            }

            await Eventually.TrueAsync(() => Task.FromResult(issued() >= 1000), "1000 registrations are issued", timeout);
            var frozen = data.RabbitMQPid;
            StackData.Signal(frozen, "STOP");
            output.WriteLine($"at {issued()}: RabbitMQ (pid {frozen}) stopped with SIGSTOP");
            // The freeze lasts until it has held work back: intake keeps registering, its relay cannot publish. Counted
            // from the backlog at the freeze (the relay may still be catching up after the kills).
            const long heldBack = 400;
            var waitingAtFreeze = await UnsentInIntakeAsync();
            await Eventually.TrueAsync(async () => await UnsentInIntakeAsync() >= waitingAtFreeze + heldBack,
                $"{heldBack} more events wait in Intake's outbox behind the frozen broker", timeout);
            StackData.Signal(frozen, "CONT");
            output.WriteLine($"at {issued()}: RabbitMQ continued, {await UnsentInIntakeAsync()} events waiting in Intake's outbox");

            await Eventually.TrueAsync(() => Task.FromResult(issued() >= 1500), "1500 registrations are issued", timeout);
            var database = data.PostgresPid;
            StackData.Signal(database, "KILL");
            output.WriteLine($"at {issued()}: PostgreSQL (pid {database}) killed with kill -9");
            await StackData.WaitForNewPidAsync(() => data.PostgresPid, database, data.PostgresAnswersAsync, "PostgreSQL", timeout);
            output.WriteLine($"at {issued()}: PostgreSQL back (pid {data.PostgresPid})");
        }
        finally
        {
            done.TrySetResult();
        }
    }

    private async Task<long> UnsentInIntakeAsync()
    {
        try
        {
            return (await data.QueryAsync<long>("intakedb", "select count(*) from outbox_messages where sent_at is null")).Single();
        }
        catch (Npgsql.NpgsqlException)
        {
            return 0; // asked again at the next poll
        }
    }

    private async Task<IReadOnlyList<string>> SignInPointStaffAsync(int count)
    {
        using var authority = stack.App.CreateHttpClient("identity");
        var admin = await IdentityAuthorityClient.GetAccessTokenAsync(authority, "admin", ReliefStack.AdminPassword);
        var tokens = new List<string>();
        for (var i = 0; i < count; i++)
        {
            // One user per client: the per-user request limit is for people, not for a load test.
            var (userName, password) = await IdentityAuthorityClient.CreateUserAsync(
                authority, admin, "point_staff", TestUsers.YanhuPoint, "140802", "service_point");
            tokens.Add(await IdentityAuthorityClient.GetAccessTokenAsync(authority, userName, password));
        }

        return tokens;
    }

    /// <summary>How many of the cases have reached every service: a person, a referral and a notification.</summary>
    private async Task<int> CompletedAsync(List<Guid> cases)
    {
        try
        {
            var ids = new { ids = cases.ToArray() };
            var withPerson = (await data.QueryAsync<Guid>("registrydb", "select distinct first_case_id from persons where first_case_id = any(@ids)", ids)).ToHashSet();
            var withReferral = (await data.QueryAsync<Guid>("referraldb", "select distinct case_id from referrals where case_id = any(@ids)", ids)).ToHashSet();
            var notified = await data.QueryAsync<Guid>("notificationdb", "select distinct case_id from notifications where case_id = any(@ids)", ids);
            var completed = notified.Count(id => withPerson.Contains(id) && withReferral.Contains(id));
            output.WriteLine($"reached: {withPerson.Count} persons, {withReferral.Count} referrals, {notified.Count} notifications, {completed} complete of {cases.Count}");
            return completed;
        }
        catch (Npgsql.NpgsqlException)
        {
            return 0; // the database is still coming back
        }
    }

    /// <summary>
    /// When the flow stalls, which queues hold messages and which have no consumer: a service whose receive endpoints
    /// did not come back after a broker restart shows as its queues filling with nobody on them. (Once, on 30 November,
    /// Notification took nothing after the faults while the other services went on.)
    /// </summary>
    private async Task DescribeTheBrokerAsync()
    {
        try
        {
            foreach (var (name, messages, consumers) in (await data.QueueStatesAsync()).OrderBy(q => q.Name, StringComparer.Ordinal))
            {
                if (messages > 0 || consumers == 0)
                {
                    output.WriteLine($"queue {name}: {messages} messages, {consumers} consumers");
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            output.WriteLine($"the broker's queues could not be read: {e.GetType().Name}");
        }
    }

    /// <summary>No event waits in any outbox and no message waits in any queue: nothing more can arrive.</summary>
    private async Task<bool> QuiescentAsync()
    {
        foreach (var database in new[] { "intakedb", "registrydb", "referraldb", "notificationdb" })
        {
            if (await data.ScalarAsync<long>(database, "select count(*) from outbox_messages where sent_at is null") > 0)
            {
                return false;
            }
        }

        return (await data.QueuesAsync()).Where(q => !q.Name.EndsWith("_error", StringComparison.Ordinal)).Sum(q => q.Messages) == 0;
    }

    private async Task<Dictionary<Guid, long>> CountsAsync(string database, string sql, List<Guid> cases) =>
        (await data.QueryAsync<(Guid CaseId, long N)>(database, sql, new { ids = cases.ToArray() }))
            .ToDictionary(row => row.CaseId, row => row.N);

    public async Task DisposeAsync()
    {
        await stack.DisposeAsync();
        ReliefStack.DeleteDataFolder(folder);
    }
}
