using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Relief.IntegrationTests.Infrastructure;

/// <summary>Every log line the hosts write, as text: message, state values, scopes and exception text.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>Whether MassTransit began retrying the message: "R-RETRY" is logged when its retries start (once).</summary>
    public int Retries(Guid messageId) =>
        Lines.Count(line => line.Contains("R-RETRY", StringComparison.Ordinal) && line.Contains(messageId.ToString(), StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            capture.Lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join("; ", pairs.Select(pair => $"{pair.Key}={pair.Value}"))
                : "";
            capture.Lines.Enqueue($"{category} [{logLevel}] {formatter(state, exception)} | {values} | {exception}");
        }
    }
}

/// <summary>Every span any source in this process finishes: names, tags, events, status, baggage.</summary>
public sealed class SpanCapture : IDisposable
{
    private readonly ActivityListener listener;

    public SpanCapture()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                Spans.Enqueue(Describe(activity));
                Stopped.Enqueue(activity);
            },
        };
        ActivitySource.AddActivityListener(listener);
    }

    public ConcurrentQueue<string> Spans { get; } = new();

    /// <summary>The spans themselves, for what a description leaves out: their ids and parents.</summary>
    public ConcurrentQueue<Activity> Stopped { get; } = new();

    /// <summary>The finished spans of one trace.</summary>
    public IReadOnlyList<Activity> Of(ActivityTraceId traceId) => Stopped.Where(span => span.TraceId == traceId).ToList();

    private static string Describe(Activity activity) =>
        $"{activity.Source.Name} {activity.DisplayName} {activity.StatusDescription} " +
        string.Join("; ", activity.TagObjects.Select(tag => $"{tag.Key}={tag.Value}")) + " " +
        string.Join("; ", activity.Events.Select(e => e.Name + " " + string.Join(",", e.Tags.Select(t => $"{t.Key}={t.Value}")))) + " " +
        string.Join("; ", activity.Baggage.Select(b => $"{b.Key}={b.Value}"));

    public void Dispose() => listener.Dispose();
}
