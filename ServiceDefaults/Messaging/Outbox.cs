using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Relief.ServiceDefaults.Data;

namespace Relief.ServiceDefaults.Messaging;

/// <summary>
/// The transactional outbox: an event is a row written in the same transaction as the change that caused it.
/// <see cref="OutboxRelay"/> publishes the rows afterwards. MassTransit's own outbox needs EF Core.
/// </summary>
public static class Outbox
{
    internal static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    private const string InsertMessage = """
        insert into outbox_messages (id, message_type, payload, traceparent)
        values (@Id, @MessageType, @Payload::jsonb, @Traceparent)
        """;

    internal static void Add<TEvent>(UnitOfWork unit, TEvent @event) where TEvent : class =>
        unit.Write(InsertMessage, new
        {
            // Time-ordered ids keep the table's index append-only and double as the MassTransit MessageId.
            Id = Guid.CreateVersion7(),
            MessageType = TypeName(typeof(TEvent)),
            Payload = JsonSerializer.Serialize(@event, PayloadJson),
            // The trace the change happened in; the relay publishes under it so the trace goes on.
            Traceparent = Activity.Current?.Id,
        });

    /// <summary>An event with fields the database fills in, from a jsonb expression run in the same transaction.</summary>
    internal static void Add<TEvent>(UnitOfWork unit, TEvent @event, string addedFields, object parameters) where TEvent : class =>
        unit.Write($"""
            insert into outbox_messages (id, message_type, payload, traceparent)
            values (@Id, @MessageType, @Payload::jsonb || coalesce(({addedFields}), jsonb_build_object()), @Traceparent)
            """,
            new
            {
                Id = Guid.CreateVersion7(),
                MessageType = TypeNameOf<TEvent>.Value,
                Payload = JsonSerializer.Serialize(@event, PayloadJson),
                Traceparent = Activity.Current?.Id,
            },
            parameters);

    /// <summary>Namespace, type and assembly: like MassTransit's message urn, part of the wire format.</summary>
    public static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    /// <summary>
    /// The type a row names, looked up once per name: <see cref="Type.GetType(string, bool)"/> resolves the assembly by name
    /// on every call. A name that does not resolve is looked up again next time (a deployment may bring its type).
    /// </summary>
    public static Type? ResolveType(string typeName) =>
        ResolvedTypes.TryGetValue(typeName, out var known) ? known
        : Type.GetType(typeName, throwOnError: false) is { } type ? ResolvedTypes.GetOrAdd(typeName, type) : null;

    private static readonly ConcurrentDictionary<string, Type> ResolvedTypes = new(StringComparer.Ordinal);

    private static class TypeNameOf<TEvent>
    {
        public static readonly string Value = TypeName(typeof(TEvent));
    }
}
