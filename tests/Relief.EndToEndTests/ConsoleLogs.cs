using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Relief.EndToEndTests;

/// <summary>
/// The last lines each service wrote to its console (warnings and errors: the services log nothing less there), kept
/// from the stack's start so a failing test can say what the services said — the dashboard's copy is in memory and
/// goes with the stack.
/// </summary>
public sealed partial class ConsoleLogs : IAsyncDisposable
{
    private const int Kept = 200;

    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> lines = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> watching = [];

    public ConsoleLogs(DistributedApplication app, IEnumerable<string> services)
    {
        var wanted = services.ToHashSet(StringComparer.Ordinal);
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        var watched = new HashSet<string>(StringComparer.Ordinal);
        // A project's logs are kept under the id of its running instance ("intake-xkcd1234"), known once it is created.
        watching.Add(Task.Run(async () =>
        {
            try
            {
                await foreach (var change in app.ResourceNotifications.WatchAsync(stop.Token))
                {
                    if (wanted.Contains(change.Resource.Name) && watched.Add(change.ResourceId))
                    {
                        var kept = lines.GetOrAdd(change.Resource.Name, _ => new ConcurrentQueue<string>());
                        lock (watching)
                        {
                            watching.Add(KeepAsync(logs, change.ResourceId, kept));
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The stack is stopping.
            }
        }));
    }

    private async Task KeepAsync(ResourceLoggerService logs, string resourceId, ConcurrentQueue<string> kept)
    {
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(stop.Token))
            {
                foreach (var line in batch)
                {
                    kept.Enqueue(TerminalColours().Replace(line.Content, ""));
                    while (kept.Count > Kept && kept.TryDequeue(out _))
                    {
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The stack is stopping.
        }
    }

    /// <summary>The last lines of each service that wrote any, oldest first.</summary>
    public IEnumerable<string> Describe(int perService = 60) =>
        lines.OrderBy(service => service.Key, StringComparer.Ordinal)
            .Where(service => !service.Value.IsEmpty)
            .SelectMany(service => service.Value.TakeLast(perService).Select(line => $"{service.Key}| {line}"));

    /// <summary>The console logger colours its level names for a terminal; a report file wants the text.</summary>
    [GeneratedRegex(@"\x1B\[[0-9;]*m")]
    private static partial Regex TerminalColours();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        Task[] all;
        lock (watching)
        {
            all = [.. watching];
        }

        await Task.WhenAll(all);
        stop.Dispose();
    }
}
