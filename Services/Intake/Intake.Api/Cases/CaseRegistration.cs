using Relief.Intake.Contracts;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.PersonalData;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Intake.Cases;

/// <summary>
/// 问询登记: saves a case, its audit entry and its <see cref="CaseRegistered"/> event in one transaction. The
/// identity document is sealed before it reaches the database and never goes on the bus.
/// </summary>
public sealed partial class CaseRegistration(
    UnitOfWorkFactory units, PersonalDataProtector protector, TimeProvider clock, ILogger<CaseRegistration> logger)
{
    private const string InsertCase = """
        insert into cases (id, county_code, service_point_code, channel, person_name, sex, estimated_age, need,
                           circumstances, id_number_sealed, id_number_key_id, id_number_hash, id_number_hash_key_id, id_number_masked,
                           registered_by, registered_at, trace_id)
        values (@Id, @CountyCode, @ServicePointCode, @Channel, @PersonName, @Sex, @EstimatedAge, @Need,
                @Circumstances, @IdNumberSealed, @IdNumberKeyId, @IdNumberHash, @IdNumberHashKeyId, @IdNumberMasked,
                @RegisteredBy, @RegisteredAt, @TraceId)
        """;

    public async Task<RegisteredCase> RegisterAsync(RegisterCaseRequest request, ReliefUser registrar, CancellationToken cancellationToken)
    {
        var registered = new CaseRegistered
        {
            CaseId = Guid.CreateVersion7(),
            CountyCode = request.CountyCode!,
            ServicePointCode = request.ServicePointCode!,
            Channel = request.Channel!.Value,
            Sex = request.Sex ?? Sex.Unknown,
            EstimatedAge = request.EstimatedAge,
            Need = request.Need!.Value,
            RegisteredAt = clock.GetUtcNow(),
        };
        var idNumber = ResidentIdNumber.Normalize(request.IdNumber);
        var sealedIdNumber = idNumber is null ? null : protector.Seal(idNumber, registered.CaseId);
        var lookupHash = idNumber is null ? null : protector.LookupHash(idNumber);
        var traceId = ReliefTelemetry.CurrentTraceId;

        var unit = units.Begin();
        unit.Write(InsertCase, new
        {
            Id = registered.CaseId,
            registered.CountyCode,
            registered.ServicePointCode,
            Channel = registered.Channel.ToString(),
            PersonName = string.IsNullOrWhiteSpace(request.PersonName) ? null : request.PersonName.Trim(),
            Sex = registered.Sex.ToString(),
            registered.EstimatedAge,
            Need = registered.Need.ToString(),
            request.Circumstances,
            IdNumberSealed = sealedIdNumber?.Ciphertext,
            IdNumberKeyId = sealedIdNumber?.KeyId,
            IdNumberHash = lookupHash?.Hash,
            IdNumberHashKeyId = lookupHash?.KeyId,
            IdNumberMasked = idNumber is null ? null : ResidentIdNumber.Mask(idNumber),
            RegisteredBy = registrar.Subject,
            registered.RegisteredAt,
            TraceId = traceId,
        });
        AuditLog.Record(unit, registrar, new AuditEntry("register_case", AuditEntry.Succeeded, registered.CaseId.ToString()));
        unit.Publish(registered);
        // The case, its audit entry and its event: one round trip, all or nothing. Not the request's abort token: a
        // client that hangs up after sending must not decide whether the case is kept.
        await unit.CommitAsync(CancellationToken.None);

        LogRegistered(logger, registered.CaseId, registered.ServicePointCode, registered.Need, request.PersonName);
        return new RegisteredCase(registered.CaseId, registered.RegisteredAt, traceId);
    }

    // The name is classified: the redactor erases it before any log provider sees it.
    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId} registered at {ServicePointCode} ({Need}) for {PersonName}")]
    private static partial void LogRegistered(ILogger logger, Guid caseId, string servicePointCode, ReliefNeed need,
        [PersonalData] string? personName);
}
