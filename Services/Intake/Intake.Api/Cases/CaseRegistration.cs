using System.Text.Json;
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
    UnitOfWorkFactory units, GroupCommit groupCommit, PersonalDataProtector protector, TimeProvider clock, ILogger<CaseRegistration> logger)
{
    /// <summary>The case with the next number of its county's day (the counter's row lock orders concurrent cases).</summary>
    private const string InsertCase = """
        with number as (
            insert into case_number_counters (county_code, day, last) values (@CountyCode, @Day, 1)
            on conflict (county_code, day) do update set last = case_number_counters.last + 1
            returning last)
        insert into cases (id, case_number, county_code, service_point_code, channel, person_name, sex, estimated_age, need,
                           circumstances, id_number_sealed, id_number_key_id, id_number_hash, id_number_hash_key_id, id_number_masked,
                           birth_date, household_place, benefits, situations, needs, belongings, place,
                           contacts_count, contacts_sealed, contacts_key_id, notes_sealed, notes_key_id,
                           registered_by, registered_at, trace_id, possible_duplicate_of,
                           registered_sex, registered_estimated_age, registered_need)
        select @Id, @CountyCode || '-' || to_char(@Day, 'YYYYMMDD') || '-' || lpad(number.last::text, greatest(4, length(number.last::text)), '0'),
               @CountyCode, @ServicePointCode, @Channel, @PersonName, @Sex, @EstimatedAge, @Need,
               @Circumstances, @IdNumberSealed, @IdNumberKeyId, @IdNumberHash, @IdNumberHashKeyId, @IdNumberMasked,
               @BirthDate, @HouseholdPlace, @Benefits, @Situations, @Needs, @Belongings, @Place,
               @ContactsCount, @ContactsSealed, @ContactsKeyId, @NotesSealed, @NotesKeyId,
               @RegisteredBy, @RegisteredAt, @TraceId,
               -- The same person at the same point within 15 minutes: the same document, or the same name. Not looked for
               -- when neither is known (most of a busy point's cases), through indexes when one is.
               case when @PersonName::text is not null or @IdNumberHash::bytea is not null then
                   (select earlier.case_number from cases earlier
                    where earlier.service_point_code = @ServicePointCode and earlier.registered_at > @RegisteredAt - interval '15 minutes'
                      and (earlier.id_number_hash = @IdNumberHash or earlier.person_name = @PersonName)
                    order by earlier.registered_at desc limit 1)
               end,
               -- as CaseRegistered says them, whatever later updates change (the sources' history)
               @Sex, @EstimatedAge, @Need
        from number
        returning case_number, possible_duplicate_of
        """;

    private const string RememberIdempotencyKey = """
        insert into idempotency_keys (registered_by, key, request_hash, case_id, created_at)
        values (@RegisteredBy, @Key, @RequestHash, @CaseId, @CreatedAt)
        """;

    /// <summary>The event's caseNumber, read from the case the unit inserted before it.</summary>
    private const string CaseNumberOfTheCase = "select jsonb_build_object('caseNumber', case_number) from cases where id = @CaseId";

    /// <summary>Beijing time: the day a case number counts in.</summary>
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    /// <param name="idempotency">The client's Idempotency-Key and the request's hash, when it sent one.</param>
    public async Task<RegisteredCase> RegisterAsync(RegisterCaseRequest request, ReliefUser registrar,
        (string Key, byte[] RequestHash)? idempotency, CancellationToken cancellationToken)
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
        var traceId = ReliefTelemetry.CurrentTraceId;
        var values = CaseRecordValues.From(request, registered.CaseId, protector) with
        {
            Day = DateOnly.FromDateTime(registered.RegisteredAt.ToOffset(Beijing).DateTime),
            CountyCode = registered.CountyCode,
            ServicePointCode = registered.ServicePointCode,
            Channel = registered.Channel.ToString(),
            RegisteredBy = registrar.Subject,
            RegisteredAt = registered.RegisteredAt,
            TraceId = traceId,
        };

        var unit = units.Begin();
        unit.WriteReturning(InsertCase, values);
        if (idempotency is { } retry)
        {
            // A second submit with this key collides here, and nothing of it is kept: not even a number.
            unit.Write(RememberIdempotencyKey, new
            {
                RegisteredBy = registrar.Subject, retry.Key, retry.RequestHash, registered.CaseId, CreatedAt = registered.RegisteredAt,
            });
        }

        AuditLog.Record(unit, registrar, new AuditEntry("register_case", AuditEntry.Succeeded, registered.CaseId.ToString()));
        // The number is counted by the database in this same unit: the event takes it from the row just inserted.
        unit.Publish(registered, CaseNumberOfTheCase, new { registered.CaseId });
        // The case, its audit entry and its event: all or nothing, committed with the other registrations waiting beside it
        // (the county's counter is one lock: see GroupCommit). Not the request's abort token: a client that hangs up after
        // sending must not decide whether the case is kept.
        await groupCommit.CommitAsync(unit, registered.CountyCode);

        var caseNumber = (string)unit.Returned![0]!;
        var possibleDuplicateOf = (string?)unit.Returned[1];
        LogRegistered(logger, registered.CaseId, caseNumber, registered.ServicePointCode, registered.Need, request.PersonName);
        return new RegisteredCase(registered.CaseId, caseNumber, registered.RegisteredAt, traceId, possibleDuplicateOf);
    }

    // The name is classified: the redactor erases it before any log provider sees it.
    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId} ({CaseNumber}) registered at {ServicePointCode} ({Need}) for {PersonName}")]
    private static partial void LogRegistered(ILogger logger, Guid caseId, string caseNumber, string servicePointCode, ReliefNeed need,
        [PersonalData] string? personName);
}
