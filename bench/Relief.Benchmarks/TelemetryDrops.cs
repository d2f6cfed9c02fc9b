using System.Globalization;
using System.Text.RegularExpressions;

namespace Relief.Benchmarks;

/// <summary>
/// What the services' OpenTelemetry exporters dropped because their queue was full — spans (or log records) the
/// dashboard never got, so a figure measured meanwhile was not measured with full tracing. The SDK counts them only
/// internally and says so in its self-diagnostics at shutdown: the benchmark turns those on for the stack it starts
/// (an OTEL_DIAGNOSTICS.json in each service's working directory, its project folder) and reads them after the stop.
/// </summary>
internal sealed partial class TelemetryDrops
{
    private const string ConfigFile = "OTEL_DIAGNOSTICS.json";

    private static bool keptClearedThisRun;

    private readonly string folder;
    private readonly string kept;
    private readonly List<string> configs = [];

    private TelemetryDrops(string folder, string kept)
    {
        this.folder = folder;
        this.kept = kept;
    }

    /// <summary>Self-diagnostics (warnings) on for every service started from <paramref name="root"/> from now on.</summary>
    public static TelemetryDrops Watch(string root, string data)
    {
        var drops = new TelemetryDrops(Directory.CreateDirectory(Path.Combine(data, "otel-diagnostics")).FullName,
            Path.Combine(root, "bench", "results", "otel-diagnostics"));
        // The kept logs are this run's: a previous run's go at its first stack (a restarted stack adds its own).
        if (!keptClearedThisRun && Directory.Exists(drops.kept))
        {
            Directory.Delete(drops.kept, recursive: true);
        }

        keptClearedThisRun = true;
        foreach (var project in Directory.EnumerateFiles(Path.Combine(root, "Services"), "*.csproj", SearchOption.AllDirectories)
                     .Where(path => !path.Contains(".Contracts", StringComparison.Ordinal)))
        {
            var config = Path.Combine(Path.GetDirectoryName(project)!, ConfigFile);
            File.WriteAllText(config, $$"""{"LogDirectory": "{{drops.folder}}", "FileSize": 1024, "LogLevel": "Warning"}""");
            drops.configs.Add(config);
        }

        return drops;
    }

    /// <summary>
    /// After the stack has stopped: each process's drops ("Relief.Intake.Api: 93,475 spans"), none if nothing was
    /// dropped; and the diagnostics turned off again. The SDK's whole logs (export failures too) are kept in
    /// bench/results/otel-diagnostics.
    /// </summary>
    public IReadOnlyList<string> Read()
    {
        foreach (var config in configs)
        {
            File.Delete(config);
        }

        var found = new List<string>();
        Directory.CreateDirectory(kept);
        foreach (var log in Directory.EnumerateFiles(folder, "*.log").Order(StringComparer.Ordinal))
        {
            // "Relief.Intake.Api.8578.log": the process name and its id.
            var process = Path.GetFileNameWithoutExtension(Path.GetFileNameWithoutExtension(log));
            var text = File.ReadAllText(log).Replace("\0", "", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(kept, Path.GetFileName(log)), text);
            foreach (Match drop in Dropped().Matches(text))
            {
                var what = drop.Groups["processor"].Value.Contains("Activity", StringComparison.Ordinal) ? "spans" : "log records";
                found.Add(string.Create(CultureInfo.InvariantCulture, $"{process}: {long.Parse(drop.Groups["count"].Value, CultureInfo.InvariantCulture):N0} {what}"));
            }

            // An export call that timed out or was refused: the SDK tries a transient failure again, and a batch that
            // still fails is lost — how many were lost it does not say, so the failed calls are counted as they are.
            var failed = FailedExport().Count(text);
            if (failed > 0)
            {
                found.Add(string.Create(CultureInfo.InvariantCulture, $"{process}: {failed} export call(s) of spans or logs failed (timed out or refused; a batch each, retried)"));
            }
        }

        return found;
    }

    [GeneratedRegex(@"dropped '\{2\}' item\(s\) due to buffer full\.\{(?<processor>\w+)\}\{\w+\}\{(?<count>\d+)\}")]
    private static partial Regex Dropped();

    [GeneratedRegex(@"(timed out|Transient HTTP error)[^\n]*?\{http[^}]*(TraceService|LogsService)/Export\}")]
    private static partial Regex FailedExport();
}
