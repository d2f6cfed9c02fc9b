using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Http;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.Intake.Cases;

/// <summary>
/// The person of a case as Registry needs it for the register of persons and its de-duplication: Registry reads it over
/// HTTP with its own client token after <c>CaseRegistered</c> (the cases its consumers are handling at the moment in one
/// call), so no name or identity document ever travels on the bus.
/// The identity document leaves Intake only as keyed lookup hashes (one per lookup key still configured) and masked —
/// never unmasked, so, like staff reading a case, the read is not written to the audit log (one commit less per case).
/// </summary>
public static class CasePersonEndpoint
{
    public static IEndpointRouteBuilder MapCasePersonEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/cases/persons", GetCasePersons).WithTags("Internal").Validate<CaseIdsRequest>()
            .RequireAuthorization(policy => policy.RequireClaim(ReliefClaims.Subject, ReliefServiceClients.Registry));
        return app;
    }

    private const string SelectPerson = """
        select id, county_code, person_name, sex, estimated_age, id_number_key_id, id_number_sealed, id_number_masked
        from cases where id = any(@Ids) and anonymised_at is null
        """;

    /// <summary>The persons of the cases asked for that Intake has; an unknown or anonymised case (no person left) is left out.</summary>
    public static async Task<Ok<CasePerson[]>> GetCasePersons(
        CaseIdsRequest request, NpgsqlDataSource db, PersonalDataProtector protector, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<PersonRow>(new CommandDefinition(
            SelectPerson, new { request.Ids }, cancellationToken: cancellationToken));
        return TypedResults.Ok(rows.Select(row => PersonOf(row, protector)).ToArray());
    }

    private static CasePerson PersonOf(PersonRow row, PersonalDataProtector protector)
    {
        string? idNumber = row.IdNumberSealed is null ? null : protector.Open(new SealedValue(row.IdNumberKeyId!, row.IdNumberSealed), row.Id);
        return new CasePerson(
            row.Id,
            row.PersonName,
            row.Sex,
            row.EstimatedAge,
            CaseRecordValidator.BirthDateOf(idNumber),
            // The region code of the ID number is where the card was issued: the household-registration place.
            idNumber?[..6],
            idNumber is null ? null : Convert.ToBase64String(protector.LookupHash(idNumber).Hash),
            idNumber is null ? [] : protector.LookupHashes(idNumber).Select(Convert.ToBase64String).ToArray(),
            row.IdNumberMasked);
    }

    private sealed class PersonRow
    {
        public Guid Id { get; init; }
        public string CountyCode { get; init; } = "";
        public string? PersonName { get; init; }
        public string Sex { get; init; } = "";
        public short? EstimatedAge { get; init; }
        public string? IdNumberKeyId { get; init; }
        public byte[]? IdNumberSealed { get; init; }
        public string? IdNumberMasked { get; init; }
    }
}

/// <summary>The person of a case for the register of persons: never the identity document itself.</summary>
public sealed record CasePerson(Guid CaseId, string? Name, string Sex, int? EstimatedAge, DateOnly? BirthDate,
    string? HouseholdRegion,
    /// <summary>Under the active lookup key: what a new person record keeps.</summary>
    string? IdNumberHash,
    /// <summary>Under every lookup key still configured: what to search for.</summary>
    string[] IdNumberHashes,
    string? IdNumberMasked);
