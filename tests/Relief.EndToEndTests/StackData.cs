using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Dapper;
using Npgsql;

namespace Relief.EndToEndTests;

/// <summary>
/// What a test sees of a running stack from outside, as ops would: its databases, its broker's queues, and the
/// processes of its PostgreSQL and RabbitMQ (found through the pid files in its data folder) to kill or freeze.
/// </summary>
public sealed class StackData(ReliefStack stack)
{
    public async Task<string> DatabaseAsync(string database) =>
        new NpgsqlConnectionStringBuilder(await stack.App.GetConnectionStringAsync("postgres"))
        {
            Database = database,
            Timeout = 3,
            Pooling = false,
        }.ConnectionString;

    public async Task<T> ScalarAsync<T>(string database, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(await DatabaseAsync(database));
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException("No value.");
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string database, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(await DatabaseAsync(database));
        return (await connection.QueryAsync<T>(sql, parameters)).ToList();
    }

    public int PostgresPid => int.Parse(File.ReadLines(Path.Combine(stack.DataFolder, "postgres", "db", "postmaster.pid")).First(),
        System.Globalization.CultureInfo.InvariantCulture);

    public int RabbitMQPid => int.Parse(File.ReadAllText(Path.Combine(stack.DataFolder, "rabbitmq", "server.pid")).Trim(),
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every queue of the broker: name and messages waiting (ready and unacknowledged).</summary>
    public async Task<IReadOnlyList<(string Name, long Messages)>> QueuesAsync() =>
        [.. (await QueueStatesAsync()).Select(q => (q.Name, q.Messages))];

    /// <summary>Every queue with its depth and how many consumers the broker sees on it (for a failure's account).</summary>
    public async Task<IReadOnlyList<(string Name, long Messages, long Consumers)>> QueueStatesAsync()
    {
        var endpoint = stack.App.GetEndpoint("messaging", "management");
        using var http = new HttpClient { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"relief:{Secret("messaging-password")}")));
        var queues = await http.GetFromJsonAsync<JsonElement>("/api/queues/%2F");
        return queues.EnumerateArray()
            .Select(q => (q.GetProperty("name").GetString()!,
                q.TryGetProperty("messages", out var m) ? m.GetInt64() : 0,
                q.TryGetProperty("consumers", out var c) ? c.GetInt64() : 0))
            .ToList();
    }

    public string Secret(string name) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(stack.DataFolder, "secrets.json")))![name];

    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {pid}");
        kill.WaitForExit();
    }

    /// <summary>Waits until the supervisor has started a new server (another pid) and it accepts connections.</summary>
    public static async Task WaitForNewPidAsync(Func<int> pid, int old, Func<Task<bool>> answers, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (pid() != old && await answers())
                {
                    return;
                }
            }
            catch (Exception e) when (e is IOException or FormatException or SocketException or NpgsqlException or HttpRequestException or TaskCanceledException)
            {
                // Not back yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{what} did not come back within {timeout.TotalSeconds} s.");
    }

    public async Task<bool> PostgresAnswersAsync() => await ScalarAsync<int>("postgres", "select 1") == 1;

    public async Task<bool> RabbitMQAnswersAsync() => (await QueuesAsync()).Count > 0;
}
