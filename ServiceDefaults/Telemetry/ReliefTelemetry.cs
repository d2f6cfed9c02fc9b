using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Relief.ServiceDefaults.Telemetry;

/// <summary>The activity source and meter of Relief's own shared plumbing (the outbox relay, the inbox).</summary>
public static class ReliefTelemetry
{
    public const string SourceName = "Relief";

    public static readonly ActivitySource ActivitySource = new(SourceName);
    public static readonly Meter Meter = new(SourceName);

    /// <summary>The trace id a stored row keeps, so ops can go from a case to its trace.</summary>
    public static string? CurrentTraceId => Activity.Current?.TraceId.ToHexString();
}
