using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.Intake.Cases;

/// <summary>
/// The person of a case as Registry needs it for the register of persons and its de-duplication: Registry reads it over
/// HTTP with its own client token after <c>CaseRegistered</c>, so no name or identity document ever travels on the bus.
/// The identity document leaves Intake only as keyed lookup hashes (one per lookup key still configured) and masked —
/// never unmasked, so, like staff reading a case, the read is not written to the audit log (one commit less per case).
/// </summary>
public static class CasePersonEndpoint
{
    public static IEndpointRouteBuilder MapCasePersonEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet("/internal/cases/{id:guid}/person", GetCasePerson).WithTags("Internal")
            .RequireAuthorization(policy => policy.RequireClaim(ReliefClaims.Subject, ReliefServiceClients.Registry));
        return app;
    }

    private const string SelectPerson = """
        select id, county_code, person_name, sex, estimated_age, id_number_key_id, id_number_sealed, id_number_masked, anonymised_at
        from cases where id = @Id
        """;

    public static async Task<Results<Ok<CasePerson>, NotFound>> GetCasePerson(
        Guid id, NpgsqlDataSource db, PersonalDataProtector protector, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<PersonRow>(new CommandDefinition(
            SelectPerson, new { Id = id }, cancellationToken: cancellationToken));
        // An anonymised case has no person left to tell of.
        if (row is null || row.AnonymisedAt is not null)
        {
            return TypedResults.NotFound();
        }

        string? idNumber = row.IdNumberSealed is null ? null : protector.Open(new SealedValue(row.IdNumberKeyId!, row.IdNumberSealed), id);
        return TypedResults.Ok(new CasePerson(
            id,
            row.PersonName,
            row.Sex,
            row.EstimatedAge,
            CaseRecordValidator.BirthDateOf(idNumber),
            // The region code of the ID number is where the card was issued: the household-registration place.
            idNumber?[..6],
            idNumber is null ? null : Convert.ToBase64String(protector.LookupHash(idNumber).Hash),
            idNumber is null ? [] : protector.LookupHashes(idNumber).Select(Convert.ToBase64String).ToArray(),
            row.IdNumberMasked));
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
        public DateTime? AnonymisedAt { get; init; }
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
