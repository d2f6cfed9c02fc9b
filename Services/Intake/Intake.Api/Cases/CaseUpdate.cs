using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.Intake.Contracts;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.Intake.Cases;

/// <summary>
/// 补充登记: people who could not give details at first are completed later. The whole record is sent on the version it
/// was read at; the names of the fields that changed go into the case's history and onto the bus, their values do not.
/// </summary>
public static class CaseUpdate
{
    private const string SelectRecord = """
        select id, county_code, person_name, sex, estimated_age, need, circumstances, id_number_key_id, id_number_sealed,
               birth_date, household_place, benefits, situations, needs, belongings, place,
               contacts_key_id, contacts_sealed, notes_key_id, notes_sealed, version
        from cases
        """;

    private const string UpdateRecord = """
        update cases set
            person_name = @PersonName, sex = @Sex, estimated_age = @EstimatedAge, need = @Need, circumstances = @Circumstances,
            id_number_sealed = @IdNumberSealed, id_number_key_id = @IdNumberKeyId, id_number_hash = @IdNumberHash,
            id_number_hash_key_id = @IdNumberHashKeyId, id_number_masked = @IdNumberMasked,
            birth_date = @BirthDate, household_place = @HouseholdPlace, benefits = @Benefits, situations = @Situations, needs = @Needs,
            belongings = @Belongings, place = @Place, contacts_count = @ContactsCount, contacts_sealed = @ContactsSealed,
            contacts_key_id = @ContactsKeyId, notes_sealed = @NotesSealed, notes_key_id = @NotesKeyId,
            version = version + 1
        where id = @Id and version = @Version and anonymised_at is null
        """;

    private const string RecordHistory = """
        insert into case_history (case_id, at, by, by_name, by_office, action, detail)
        values (@Id, @At, @By, @ByName, @ByOffice, 'updated', @Detail::jsonb)
        """;

    public static async Task<Results<Ok<CaseVersion>, NotFound, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateCaseRequest request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units,
        PersonalDataProtector protector, TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        CaseReading.CaseRow? stored;
        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            stored = await connection.QuerySingleOrDefaultAsync<CaseReading.CaseRow>(new CommandDefinition(
                $"{SelectRecord} where id = @id and {CaseEndpoints.Scope}", DataScope.Parameters(user, new { id }), cancellationToken: cancellationToken));
        }

        if (stored is null)
        {
            return TypedResults.NotFound();
        }

        if (stored.Version != request.Version)
        {
            return Stale();
        }

        var before = CaseRecordValues.Opened(stored, protector);
        var wanted = request.KeepIdNumber == true ? request with { IdNumber = before.IdNumber } : request;
        var after = CaseRecordValues.From(wanted, id, protector) with { Version = stored.Version };
        var changed = before.ChangedFields(after);
        if (changed.Count == 0)
        {
            return TypedResults.Ok(new CaseVersion(id, stored.Version, changed));
        }

        var updated = new CaseUpdated
        {
            CaseId = id, CountyCode = stored.CountyCode, ChangedFields = changed, Version = stored.Version + 1, UpdatedAt = clock.GetUtcNow(),
        };
        var unit = units.Begin();
        unit.WriteOne(UpdateRecord, after);
        unit.Write(RecordHistory, new
        {
            Id = id, At = updated.UpdatedAt, By = user.Subject, ByName = user.DisplayName, ByOffice = user.OfficeOrNull,
            Detail = JsonSerializer.Serialize(new { fields = changed }),
        });
        AuditLog.Record(unit, user, new AuditEntry("update_case", AuditEntry.Succeeded, id.ToString(), string.Join(',', changed)));
        unit.Publish(updated);
        try
        {
            await unit.CommitAsync(CancellationToken.None);
        }
        catch (StaleVersionException)
        {
            return Stale();
        }

        return TypedResults.Ok(new CaseVersion(id, updated.Version, changed));
    }

    /// <summary>
    /// The record as the form to complete it needs it: the name and contacts in full for those who may change them, the
    /// identity document masked (it is kept unless a new one is typed).
    /// </summary>
    public static async Task<Results<Ok<EditableRecord>, NotFound>> GetRecordAsync(
        Guid id, HttpContext http, NpgsqlDataSource db, PersonalDataProtector protector, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var stored = await connection.QuerySingleOrDefaultAsync<CaseReading.CaseRow>(new CommandDefinition(
            $"{SelectRecord} where id = @id and anonymised_at is null and {CaseEndpoints.Scope}", DataScope.Parameters(user, new { id }),
            cancellationToken: cancellationToken));
        if (stored is null)
        {
            return TypedResults.NotFound();
        }

        var record = CaseRecordValues.Opened(stored, protector);
        return TypedResults.Ok(new EditableRecord(id, stored.Version, record.PersonName, record.Sex, record.EstimatedAge, record.Need,
            record.Circumstances, record.IdNumber is null ? null : ServiceDefaults.PersonalData.ResidentIdNumber.Mask(record.IdNumber),
            record.BirthDate, record.HouseholdPlace, record.Benefits, record.Situations, record.Needs, record.Contacts?.Phone,
            record.Contacts?.Relatives ?? [], record.Belongings, record.Place, record.Notes));
    }

    private static ProblemHttpResult Stale() => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
        title: "有人在您之后修改了这个案件，请重新打开后再改 / the case was changed by someone else since you read it: read it again");
}

/// <summary>A case's record for the form that completes it.</summary>
public sealed record EditableRecord(Guid Id, int Version, string? PersonName, string Sex, int? EstimatedAge, string Need,
    string? Circumstances, string? IdNumberMasked, DateOnly? BirthDate, string? HouseholdPlace, string Benefits, string[] Situations,
    string[] Needs, string? Phone, IReadOnlyList<RelativeContact> Relatives, string? Belongings, string? Place, string? Notes);

/// <summary>The case's version after a change, and which fields changed.</summary>
public sealed record CaseVersion(Guid Id, int Version, IReadOnlyList<string> ChangedFields);
