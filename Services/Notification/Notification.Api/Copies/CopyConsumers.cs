using Relief.Identity.Contracts;
using Relief.Intake.Contracts;
using Relief.Registry.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Notification.Copies;

/// <summary>
/// Keeps the copy of a case a desk needs (its number, county and registering point). A row may already be there from
/// the case's referral (point only, no number): the registration completes it. The number is also put on the case's
/// items that went to a desk before it arrived, so lists and deliveries show it.
/// </summary>
public sealed class CaseRegisteredConsumer(UnitOfWorkFactory units, ILogger<CaseRegisteredConsumer> logger)
    : IdempotentConsumer<CaseRegistered>(units, logger)
{
    protected override string InboxName => "notification.case-registered";

    private const string KeepRegistered = """
        insert into cases (case_id, case_number, county_code, service_point_code, registered_at)
        values (@CaseId, @CaseNumber, @CountyCode, @ServicePointCode, @RegisteredAt)
        on conflict (case_id) do update set
            case_number = coalesce(excluded.case_number, cases.case_number), county_code = excluded.county_code,
            service_point_code = excluded.service_point_code, registered_at = excluded.registered_at
        where cases.registered_at is null
        """;

    private const string NumberEarlierItems = """
        update notifications set case_number = @CaseNumber
        where case_id = @CaseId and case_number is null and @CaseNumber::text is not null
        """;

    protected override void Handle(CaseRegistered message, UnitOfWork unit)
    {
        var values = new { message.CaseId, message.CaseNumber, message.CountyCode, message.ServicePointCode, message.RegisteredAt };
        unit.Write(KeepRegistered, values);
        unit.Write(NumberEarlierItems, new { message.CaseId, message.CaseNumber });
    }
}

/// <summary>Keeps the copy of a service point; each event is its whole state, and the newest version wins in any order.</summary>
public sealed class ServicePointChangedConsumer(UnitOfWorkFactory units, ILogger<ServicePointChangedConsumer> logger)
    : IdempotentConsumer<ServicePointChanged>(units, logger)
{
    protected override string InboxName => "notification.service-point-changed";

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
}

/// <summary>Keeps the copy of an office (which desk a code is); the newest version wins in any order.</summary>
public sealed class OfficeChangedConsumer(UnitOfWorkFactory units, ILogger<OfficeChangedConsumer> logger)
    : IdempotentConsumer<OfficeChanged>(units, logger)
{
    protected override string InboxName => "notification.office-changed";

    private const string KeepNewest = """
        insert into offices (code, name, kind, county_code, active, version, changed_at)
        values (@Code, @Name, @Kind, @CountyCode, @Active, @Version, @ChangedAt)
        on conflict (code) do update set
            name = excluded.name, kind = excluded.kind, county_code = excluded.county_code, active = excluded.active,
            version = excluded.version, changed_at = excluded.changed_at
        where offices.version < excluded.version
        """;

    protected override void Handle(OfficeChanged message, UnitOfWork unit) =>
        unit.Write(KeepNewest, new { message.Code, message.Name, message.Kind, message.CountyCode, message.Active, message.Version, message.ChangedAt });
}
