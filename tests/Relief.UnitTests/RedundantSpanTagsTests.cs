using System.Diagnostics;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.UnitTests;

/// <summary>What the exporter is spared: attributes that repeat what the same span already says, and nothing else.</summary>
public sealed class RedundantSpanTagsTests
{
    private static Activity Span(string source, params (string Key, string Value)[] tags)
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = candidate => candidate.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var activitySource = new ActivitySource(source);
        var activity = activitySource.StartActivity("span")!;
        foreach (var (key, value) in tags)
        {
            activity.SetTag(key, value);
        }

        activity.Stop();
        return activity;
    }

    [Fact]
    public void MassTransit_keeps_the_standard_message_id_and_queue_and_loses_its_own_copies_and_addresses()
    {
        var span = Span("MassTransit",
            ("messaging.message.id", "m1"), ("messaging.destination.name", "referral-case-registered"),
            ("messaging.message.conversation_id", "c1"), ("messaging.masstransit.consumer_type", "CaseRegisteredConsumer"),
            ("messaging.masstransit.message_id", "m1"), ("messaging.masstransit.input_address", "rabbitmq://h/referral-case-registered"),
            ("messaging.masstransit.source_address", "rabbitmq://h/host_bus_x"), ("messaging.masstransit.destination_address", "rabbitmq://h/x"),
            ("messaging.masstransit.message_types", "urn:message:Relief.Intake.Contracts:CaseRegistered"));

        new RedundantSpanTags().OnEnd(span);

        Assert.Equal(
            ["messaging.destination.name", "messaging.masstransit.consumer_type", "messaging.message.conversation_id", "messaging.message.id"],
            span.Tags.Select(tag => tag.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Npgsql_loses_only_its_data_source_string()
    {
        var span = Span("Npgsql", ("db.query.text", "select 1"), ("db.namespace", "intakedb"), ("server.address", "127.0.0.1"),
            ("db.npgsql.data_source", "Host=127.0.0.1;Port=5432;Database=intakedb;Username=postgres"));

        new RedundantSpanTags().OnEnd(span);

        Assert.Equal(["db.namespace", "db.query.text", "server.address"], span.Tags.Select(tag => tag.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Other_sources_keep_every_attribute()
    {
        var span = Span("Microsoft.AspNetCore", ("db.npgsql.data_source", "kept"), ("messaging.masstransit.message_id", "kept"));

        new RedundantSpanTags().OnEnd(span);

        Assert.Equal(2, span.Tags.Count());
    }
}
