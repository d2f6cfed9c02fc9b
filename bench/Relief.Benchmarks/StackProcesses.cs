using System.Globalization;

namespace Relief.Benchmarks;

/// <summary>
/// The processes of a running stack, by role, read from /proc: CPU time (user + system) and resident memory. PostgreSQL
/// counts its postmaster, every backend and the backends that have ended (their time kept by the postmaster).
/// </summary>
public static class StackProcesses
{
    public static readonly string[] Roles =
        ["intake", "registry", "referral", "notification", "familysearch", "reporting", "portal", "identity", "postgres", "rabbitmq", "dashboard",
         "apphost+dcp"];

    private static readonly double TicksPerSecond = 100;

    public sealed record Sample(Dictionary<string, double> CpuSeconds, Dictionary<string, long> RssBytes, DateTime At);

    public static Sample Take(string dataFolder)
    {
        var cpu = Roles.ToDictionary(role => role, _ => 0.0);
        var rss = Roles.ToDictionary(role => role, _ => 0L);
        var postmaster = File.Exists(Path.Combine(dataFolder, "postgres", "db", "postmaster.pid"))
            ? File.ReadLines(Path.Combine(dataFolder, "postgres", "db", "postmaster.pid")).First().Trim()
            : "";
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(folder);
            if (!pid.All(char.IsAsciiDigit))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = fields[1];
                var cmdline = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                var role = RoleOf(cmdline, pid, parent, postmaster, dataFolder);
                if (role is null)
                {
                    continue;
                }

                cpu[role] += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                if (pid == postmaster)
                {
                    // The backends that ended since the last sample: the postmaster reaped them, and keeps their CPU time
                    // (cutime, cstime); without it a phase whose connections came and went would count too little.
                    cpu[role] += (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / TicksPerSecond;
                }
                rss[role] += long.Parse(fields[21], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while being read.
            }
        }

        return new Sample(cpu, rss, DateTime.UtcNow);
    }

    private static string? RoleOf(string cmdline, string pid, string parent, string postmaster, string dataFolder)
    {
        if (cmdline.Contains("Relief.Intake.Api", StringComparison.Ordinal)) return "intake";
        if (cmdline.Contains("Relief.Registry.Api", StringComparison.Ordinal)) return "registry";
        if (cmdline.Contains("Relief.Referral.Api", StringComparison.Ordinal)) return "referral";
        if (cmdline.Contains("Relief.Notification.Api", StringComparison.Ordinal)) return "notification";
        if (cmdline.Contains("Relief.FamilySearch.Api", StringComparison.Ordinal)) return "familysearch";
        if (cmdline.Contains("Relief.Reporting.Api", StringComparison.Ordinal)) return "reporting";
        if (cmdline.Contains("Relief.Portal", StringComparison.Ordinal)) return "portal";
        if (cmdline.Contains("Relief.Identity.Api", StringComparison.Ordinal)) return "identity";
        if (postmaster.Length > 0 && (pid == postmaster || parent == postmaster)) return "postgres";
        if (cmdline.Contains("beam.smp", StringComparison.Ordinal) && cmdline.Contains(dataFolder, StringComparison.Ordinal)) return "rabbitmq";
        if (cmdline.Contains("Aspire.Dashboard", StringComparison.Ordinal)) return "dashboard";
        if (cmdline.Contains("Relief.AppHost", StringComparison.Ordinal) || cmdline.Contains("/dcp ", StringComparison.Ordinal)) return "apphost+dcp";
        return null;
    }

    /// <summary>The process ids of a role (a service's own process).</summary>
    public static IReadOnlyList<int> PidsOf(string role, string dataFolder)
    {
        var pids = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(folder);
            try
            {
                if (pid.All(char.IsAsciiDigit)
                    && RoleOf(File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' '), pid, "", "", dataFolder) == role)
                {
                    pids.Add(int.Parse(pid, CultureInfo.InvariantCulture));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }

        return pids;
    }

    /// <summary>CPU each role used between two samples, in seconds.</summary>
    public static Dictionary<string, double> CpuBetween(Sample from, Sample to) =>
        Roles.ToDictionary(role => role, role => Math.Max(0, to.CpuSeconds[role] - from.CpuSeconds[role]));
}
