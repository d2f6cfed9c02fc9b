using System.Diagnostics;
using OpenTelemetry;

namespace Relief.ServiceDefaults.Telemetry;

/// <summary>
/// Drops, before export, span attributes that repeat what the same span already says: MassTransit's own copies of the
/// message id and queue (besides the standard <c>messaging.message.id</c> and <c>messaging.destination.name</c>), its
/// source and destination addresses and message-type URNs, and Npgsql's data-source string (the database, host and port
/// are attributes of their own). A case's trace is ~45 spans; these were a third of its bytes, which every service
/// serialises and the dashboard parses and keeps. No span is dropped and nothing a span tells is lost.
/// </summary>
public sealed class RedundantSpanTags : BaseProcessor<Activity>
{
    private static readonly string[] MassTransit =
    [
        "messaging.masstransit.message_id",
        "messaging.masstransit.input_address",
        "messaging.masstransit.source_address",
        "messaging.masstransit.destination_address",
        "messaging.masstransit.message_types",
    ];

    public override void OnEnd(Activity activity)
    {
        switch (activity.Source.Name)
        {
            case "MassTransit":
                foreach (var key in MassTransit)
                {
                    activity.SetTag(key, null);
                }

                break;
            case "Npgsql":
                activity.SetTag("db.npgsql.data_source", null);
                break;
        }
    }
}
