using Relief.Intake.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.FamilySearch.Copies;

/// <summary>
/// Keeps the copy of a case family search needs to scope its work (number, county, registering point): a photo taken
/// at intake, a notice, a police request belong to a case, and who may see them follows the case.
/// </summary>
public sealed class CaseRegisteredConsumer(UnitOfWorkFactory units, ILogger<CaseRegisteredConsumer> logger)
    : IdempotentConsumer<CaseRegistered>(units, logger)
{
    protected override string InboxName => "familysearch.case-registered";

    /// <summary>Keeps a case's copy once, whoever learns of the case first (this consumer, or drafting a notice from Intake's facts).</summary>
    public const string KeepCase = """
        insert into cases (case_id, case_number, county_code, service_point_code, registered_at)
        values (@CaseId, @CaseNumber, @CountyCode, @ServicePointCode, @RegisteredAt)
        on conflict (case_id) do nothing
        """;

    protected override void Handle(CaseRegistered message, UnitOfWork unit) =>
        unit.Write(KeepCase, new
        {
            message.CaseId, CaseNumber = message.CaseNumber ?? "", message.CountyCode, message.ServicePointCode,
            message.RegisteredAt,
        });
}
