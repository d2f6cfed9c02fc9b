using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using Relief.Ops;

// Ops commands for a stack started with ./run.sh (local mode): what waits in the outboxes and _error queues, and
// putting it back in line once the cause is fixed. Run through scripts/ops.sh.
DefaultTypeMap.MatchNamesWithUnderscores = true;

var dataFolder = new Option<string>("--data-folder")
{
    Description = "The stack's data folder (default: /var/lib/relief for root, else $XDG_DATA_HOME/relief).",
    DefaultValueFactory = _ => LocalStack.DefaultDataFolder(),
    Recursive = true,
};
var service = new Argument<string>("service") { Description = "intake, registry, referral or notification" };
var ids = new Argument<Guid[]>("ids") { Description = "Row ids (default: every set-aside row).", Arity = ArgumentArity.ZeroOrMore };
var queue = new Argument<string>("queue") { Description = "An _error queue, e.g. referral-person-recorded_error" };

var outbox = new Command("outbox", "The events a service has not published yet, and those set aside.") { service };
outbox.SetAction(async (result, cancellationToken) =>
{
    var stack = new LocalStack(result.GetValue(dataFolder)!);
    var connectionString = stack.DatabaseConnectionString(result.GetValue(service)!);
    var backlog = await OutboxOps.BacklogAsync(connectionString, cancellationToken);
    var oldest = backlog.OldestUnsent is { } at ? string.Create(CultureInfo.InvariantCulture, $", the oldest since {at:u}") : "";
    Console.WriteLine($"{backlog.Unsent} event(s) waiting to be published{oldest}; {backlog.SetAside} set aside");
    foreach (var row in await OutboxOps.SetAsideAsync(connectionString, cancellationToken))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {row.Id}  {row.MessageType}  created {row.CreatedAt:u}, set aside {row.SetAsideAt:u} after {row.Attempts} attempts: {row.LastError}"));
    }
});

var requeue = new Command("outbox-requeue", "Puts set-aside events back in line once their cause is fixed.") { service, ids };
requeue.SetAction(async (result, cancellationToken) =>
{
    var stack = new LocalStack(result.GetValue(dataFolder)!);
    var count = await OutboxOps.RequeueAsync(stack.DatabaseConnectionString(result.GetValue(service)!), result.GetValue(ids), cancellationToken);
    Console.WriteLine($"{count} event(s) re-queued; the relay publishes them within seconds.");
});

var errors = new Command("errors", "The _error queues and how many failed messages wait in each.");
errors.SetAction(async (result, cancellationToken) =>
{
    var stack = new LocalStack(result.GetValue(dataFolder)!);
    using var http = new HttpClient { BaseAddress = stack.Management() };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"relief:{stack.BrokerPassword}")));
    var queues = (await http.GetFromJsonAsync<List<QueueInfo>>("/api/queues/%2F", cancellationToken) ?? [])
        .Where(q => q.Name.EndsWith(ErrorQueueReplay.ErrorSuffix, StringComparison.Ordinal)).OrderBy(q => q.Name).ToList();
    if (queues.Count == 0)
    {
        Console.WriteLine("No _error queues: no message has failed for good.");
    }

    foreach (var q in queues)
    {
        Console.WriteLine($"{q.Messages,6}  {q.Name}");
    }
});

var replay = new Command("errors-replay", "Moves the messages of an _error queue back to its consumer, each taking effect once.") { queue };
replay.SetAction(async (result, cancellationToken) =>
{
    var stack = new LocalStack(result.GetValue(dataFolder)!);
    var moved = await ErrorQueueReplay.ReplayAsync(stack.Amqp(), result.GetValue(queue)!, cancellationToken);
    Console.WriteLine($"{moved} message(s) moved back to their consumer.");
});

var demo = new Command("demo-network", "Loads the demo network of service points (the 13 counties, marked as demo data) into Registry.");
demo.SetAction(async (result, cancellationToken) =>
{
    var stack = new LocalStack(result.GetValue(dataFolder)!);
    using var authority = new HttpClient { BaseAddress = new Uri("http://localhost:5100") };
    var token = await DemoNetwork.AdminTokenAsync(authority, stack.AdminPassword, cancellationToken);
    using var registry = DemoNetwork.Client(new Uri("http://localhost:5102"), token);
    var points = DemoNetwork.Generate(CountyOutlines.Load());
    var created = await DemoNetwork.LoadAsync(registry, points, cancellationToken);
    Console.WriteLine($"{created} demo point(s) created ({points.Count - created} were there already), {points.Count} in the demo network.");
});

var rebuild = new Command("reporting-rebuild",
    "Empties Reporting's statistics read model and replays the sources' history into it (POST /api/statistics/rebuild, as admin).");
rebuild.SetAction(async (result, cancellationToken) =>
{
    var stack = new LocalStack(result.GetValue(dataFolder)!);
    using var authority = new HttpClient { BaseAddress = new Uri("http://localhost:5100") };
    var token = await DemoNetwork.AdminTokenAsync(authority, stack.AdminPassword, cancellationToken);
    using var reporting = DemoNetwork.Client(new Uri("http://localhost:5106"), token);
    // Answers once the rebuilt model is committed: a large history takes a while.
    reporting.Timeout = TimeSpan.FromMinutes(30);
    using var response = await reporting.PostAsync(new Uri("/api/statistics/rebuild", UriKind.Relative), null, cancellationToken);
    var body = await response.Content.ReadAsStringAsync(cancellationToken);
    if (!response.IsSuccessStatusCode)
    {
        throw new OpsException($"Reporting refused the rebuild: {(int)response.StatusCode} {body}");
    }

    Console.WriteLine($"Rebuilt: {body}");
});

var root = new RootCommand("Relief ops: outboxes and _error queues of a local stack, its demo data and the statistics' rebuild.")
{
    dataFolder, outbox, requeue, errors, replay, demo, rebuild,
};
try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is OpsException or Npgsql.NpgsqlException or HttpRequestException or RabbitMQ.Client.Exceptions.BrokerUnreachableException)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 1;
}

internal sealed record QueueInfo(string Name, long Messages);
