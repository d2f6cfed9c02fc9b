using Relief.Registry.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Intake.ServicePoints;

/// <summary>
/// Keeps Intake's copy of a service point up to date. Each event carries the point's whole state and version, so the
/// newest version wins whatever order the events arrive in, and a redelivered event changes nothing.
/// </summary>
public sealed class ServicePointChangedConsumer(
    UnitOfWorkFactory units, ServicePointDirectory directory, ILogger<ServicePointChangedConsumer> logger)
    : IdempotentConsumer<ServicePointChanged>(units, logger)
{
    protected override string InboxName => "intake.service-point-changed";

    private const string KeepNewest = """
        insert into service_points (code, name, kind, county_code, status, receiving_station_code, version, changed_at)
        values (@Code, @Name, @Kind, @CountyCode, @Status, @ReceivingStationCode, @Version, @ChangedAt)
        on conflict (code) do update set
            name = excluded.name, kind = excluded.kind, county_code = excluded.county_code, status = excluded.status,
            receiving_station_code = excluded.receiving_station_code, version = excluded.version, changed_at = excluded.changed_at
        where service_points.version < excluded.version
        """;

    protected override void Handle(ServicePointChanged message, UnitOfWork unit) =>
        unit.Write(KeepNewest, new
        {
            message.Code, message.Name, message.Kind, message.CountyCode, message.Status, message.ReceivingStationCode,
            message.Version, message.ChangedAt,
        });

    protected override void Committed(ServicePointChanged message) => directory.Changed();
}
