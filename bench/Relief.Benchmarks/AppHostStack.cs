using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Relief.Ops;

namespace Relief.Benchmarks;

/// <summary>The AppHost as ./run.sh starts it (Release build), in a process group of its own so Ctrl+C reaches it all.</summary>
internal sealed class AppHostStack
{
    public const string AdminPassword = "bench-admin-password-0123456789";
    private const string UserPassword = "a-long-password-for-bench";
    public static readonly int[] ServicePorts = [5100, 5101, 5102, 5103, 5104, 5105];

    private readonly Process process;
    private readonly TelemetryDrops drops;

    private AppHostStack(string root, Process process, TelemetryDrops drops)
    {
        this.drops = drops;
        Root = root;
        this.process = process;
    }

    public string Root { get; }

    /// <summary>After <see cref="StopAsync"/>: the telemetry the services' exporters dropped (queue full) while it ran.</summary>
    public IReadOnlyList<string> DroppedTelemetry { get; private set; } = [];

    /// <summary>A line for the report: whether the figures were measured with every span reaching the dashboard.</summary>
    public string DroppedTelemetryLine => DroppedTelemetry.Count == 0
        ? "telemetry: the services' exporters dropped nothing and every export call succeeded"
        : "telemetry the services' exporters dropped (queue full) or failed to send (the dashboard not keeping up, or gone at the stop): "
          + string.Join(", ", DroppedTelemetry);

    public static async Task<AppHostStack> StartAsync(string root, string data)
    {
        var drops = TelemetryDrops.Watch(root, data);
        var log = Path.Combine(root, "bench", "results", "apphost.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        var process = Process.Start(new ProcessStartInfo("setsid",
        [
            "bash", "-c", $"exec dotnet run --project AppHost -c Release --no-build --launch-profile http -- \"$@\" >> '{log}' 2>&1", "apphost",
            $"--Infrastructure:DataFolder={data}", $"--Parameters:identity-admin-password={AdminPassword}",
            "--ServiceSettings:RequestProtection:PermitsPerMinute=10000000",
            // RELIEF_BENCH_APPHOST_ARGS: more AppHost arguments, space-separated, to measure a setting against the default.
            .. (Environment.GetEnvironmentVariable("RELIEF_BENCH_APPHOST_ARGS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
        ])
        { WorkingDirectory = root })!;
        var stack = new AppHostStack(root, process, drops);
        await Poll.UntilAsync(async () =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            foreach (var port in ServicePorts)
            {
                var health = await http.GetFromJsonAsync<JsonElement>($"http://localhost:{port}/health");
                if (health.GetProperty("status").GetString() != "Healthy")
                {
                    return false;
                }
            }

            return true;
        }, "every service reports Healthy", TimeSpan.FromMinutes(3));
        return stack;
    }

    /// <summary>
    /// Stops the whole process group as Ctrl+C does — with SIGTERM, which the .NET host handles exactly like SIGINT,
    /// because a benchmark started in the background inherits SIGINT ignored — and returns how long until every
    /// process of the stack is gone.
    /// </summary>
    public async Task<TimeSpan> StopAsync()
    {
        if (process.HasExited)
        {
            return TimeSpan.Zero;
        }

        var clock = Stopwatch.StartNew();
        using (var terminate = Process.Start("kill", ["-TERM", "--", $"-{process.Id}"]))
        {
            await terminate.WaitForExitAsync();
        }

        await process.WaitForExitAsync();
        while (Directory.EnumerateDirectories("/proc").Any(folder => IsStackProcess(folder)))
        {
            await Task.Delay(100);
        }

        var elapsed = clock.Elapsed;
        DroppedTelemetry = drops.Read();
        return elapsed;
    }

    private static bool IsStackProcess(string folder)
    {
        try
        {
            var cmdline = File.ReadAllText(Path.Combine(folder, "cmdline"));
            return cmdline.Contains("relief-bench-", StringComparison.Ordinal)
                || cmdline.Contains("Relief.Intake.Api", StringComparison.Ordinal)
                || cmdline.Contains("Relief.Notification.Api", StringComparison.Ordinal)
                || cmdline.Contains("Relief.AppHost", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// An office and a user working there, created by the administrator once per data folder (a conflict on a later
    /// start is the one already there), and the user's access token.
    /// </summary>
    public static async Task<string> OfficeUserAsync(string officeCode, string officeName, string officeKind, string countyCode, string userName, string role)
    {
        using var authority = new HttpClient { BaseAddress = new Uri("http://localhost:5100") };
        authority.DefaultRequestHeaders.Authorization = new("Bearer", await TokenAsync(authority, "admin", AdminPassword));
        using (await authority.PostAsJsonAsync("/api/admin/offices", new { code = officeCode, name = officeName, kind = officeKind, countyCode }))
        {
        }

        using (await authority.PostAsJsonAsync("/api/admin/users", new { userName, password = UserPassword, officeCode, role }))
        {
        }

        authority.DefaultRequestHeaders.Authorization = null;
        return await TokenAsync(authority, userName, UserPassword);
    }

    /// <summary>A user's access token from Identity (the portal's password grant).</summary>
    public static async Task<string> TokenAsync(HttpClient authority, string user, string password)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "relief-portal", ["scope"] = "openid offline_access relief",
            ["username"] = user, ["password"] = password,
        });
        using var response = await authority.PostAsync("/connect/token", form);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }
}

/// <summary>Polls a condition until it holds or the time is up; a server not answering yet counts as "not yet".</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or NpgsqlException or OpsException or IOException)
            {
                // Not yet.
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"Timed out waiting until {what}.");
    }
}
