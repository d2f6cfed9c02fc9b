using Relief.Intake.Contracts;
using Relief.Registry.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Registry.Persons;

/// <summary>Records a person for every registered case, and tells Referral the person is on record.</summary>
public sealed class CaseRegisteredConsumer(UnitOfWorkFactory units, TimeProvider clock, ILogger<CaseRegisteredConsumer> logger)
    : IdempotentConsumer<CaseRegistered>(units, logger)
{
    protected override string InboxName => "registry.case-registered";

    private const string InsertPerson = """
        insert into persons (id, first_case_id, county_code, service_point_code, sex, estimated_age, recorded_at, trace_id)
        values (@Id, @CaseId, @CountyCode, @ServicePointCode, @Sex, @EstimatedAge, @RecordedAt, @TraceId)
        """;

    protected override void Handle(CaseRegistered message, UnitOfWork unit)
    {
        var recorded = new PersonRecorded
        {
            PersonId = Guid.CreateVersion7(),
            CaseId = message.CaseId,
            CountyCode = message.CountyCode,
            ServicePointCode = message.ServicePointCode,
            Need = message.Need,
            RecordedAt = clock.GetUtcNow(),
        };

        unit.Write(InsertPerson, new
        {
            Id = recorded.PersonId,
            recorded.CaseId,
            recorded.CountyCode,
            recorded.ServicePointCode,
            Sex = message.Sex.ToString(),
            message.EstimatedAge,
            recorded.RecordedAt,
            TraceId = ReliefTelemetry.CurrentTraceId,
        });
        unit.Publish(recorded);
    }
}
