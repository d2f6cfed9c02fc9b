using System.Globalization;
using Relief.Benchmarks;

// Benchmarks, each printed beside its baseline measured in the same run on the same machine (bench/run.sh):
//   pipeline [seconds]   the whole stack as users start it, beside the bare baseline endpoint (default 60 s measured)
//   intake [rounds]      issue 10's benchmark alone: registering cases (consumers frozen) beside the bare baseline
//   outbox [events]      the transactional outbox, beside MassTransit publishing directly (default 3000 events a run)
//   service-points       nearest open point and coverage over 10,000 points, beside a scan and a bare count
//   statistics [iterations] [cases]   the statistics page's queries over a read model of 1,000,000 cases, each part's
//                        p50/p99 for a county officer and the city, beside the same queries without the read model's
//                        indexes, the summary as it was before the roll-ups and a count(*) of the scope's cases (default
//                        100 timings of each part per scope)
//   desk-feed [seconds] [cases/s]   POST of a case needing referral → its item on the station's SSE feed, on the whole
//                        stack beside the bare path of the same shape (default 60 s measured at 100 cases/s)
//   desk-feed-baseline [seconds] [cases/s]   only that bare path (on the servers RELIEF_TEST_* name), to work on it alone
//   baseline-server port [desk]   the bare baseline endpoint (with desk: and its desk feed), run by the pipeline and
//                        desk-feed benchmarks as a process of its own
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
    case "intake":
        await PipelineBenchmark.RunIntakeAsync(
            Environment.GetEnvironmentVariable("RELIEF_ROOT") ?? throw new InvalidOperationException("Run bench/run.sh."),
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2);
        break;
    case "service-points":
        await ServicePointBenchmark.RunAsync(Environment.GetEnvironmentVariable("RELIEF_ROOT") ?? throw new InvalidOperationException("Run bench/run.sh."));
        break;
    case "statistics":
        await StatisticsBenchmark.RunAsync(
            Environment.GetEnvironmentVariable("RELIEF_ROOT") ?? throw new InvalidOperationException("Run bench/run.sh."),
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100,
            args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000);
        break;
    case "desk-feed" or "desk-feed-baseline":
        await DeskFeedBenchmark.RunAsync(
            command == "desk-feed" ? Environment.GetEnvironmentVariable("RELIEF_ROOT") ?? throw new InvalidOperationException("Run bench/run.sh.") : null,
            TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60),
            args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 100);
        break;
    case "baseline-server":
        await BareBaselineServer.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture), desk: args.Length > 2 && args[2] == "desk");
        break;
    default:
        Console.Error.WriteLine("usage: pipeline [seconds] | intake [rounds] | outbox [events] | service-points | statistics [iterations] [cases] | desk-feed [seconds] [cases/s] | desk-feed-baseline [seconds] [cases/s]");
        return 2;
}

return 0;
