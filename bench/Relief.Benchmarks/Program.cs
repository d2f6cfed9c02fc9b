using System.Globalization;
using Relief.Benchmarks;

// Benchmarks, each printed beside its baseline measured in the same run on the same machine (bench/run.sh):
//   pipeline [seconds]   the whole stack as users start it, beside the bare baseline endpoint (default 60 s measured)
//   outbox [events]      the transactional outbox, beside MassTransit publishing directly (default 3000 events a run)
//   service-points       nearest open point and coverage over 10,000 points, beside a scan and a bare count
//   baseline-server port the bare baseline endpoint, run by the pipeline benchmark as a process of its own
var command = args.Length > 0 ? args[0] : "pipeline";
switch (command)
{
    case "outbox":
        await OutboxBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3000);
        break;
    case "pipeline":
        var root = Environment.GetEnvironmentVariable("RELIEF_ROOT") ?? throw new InvalidOperationException("Run bench/run.sh.");
        await PipelineBenchmark.RunAsync(root, TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60));
        break;
    case "service-points":
        await ServicePointBenchmark.RunAsync(Environment.GetEnvironmentVariable("RELIEF_ROOT") ?? throw new InvalidOperationException("Run bench/run.sh."));
        break;
    case "baseline-server":
        await BareBaselineServer.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
        break;
    default:
        Console.Error.WriteLine("usage: pipeline [seconds] | outbox [events] | service-points");
        return 2;
}

return 0;
