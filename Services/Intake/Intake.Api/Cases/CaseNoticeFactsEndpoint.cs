using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Intake.Cases;

/// <summary>
/// What a family-search notice (寻亲公告) starts from, as FamilySearch reads it with its own client token when a station
/// accepts a referral: the name if one was given, sex, age, how the identity stands, when and where the person was met,
/// and the situations that say something of their health. Minimum necessary: no identity document, no contacts, no
/// notes (free text may say anything), no belongings. Personal data, so read over HTTP, never put on the bus.
/// </summary>
public static class CaseNoticeFactsEndpoint
{
    /// <summary>The situations a notice's health and mental state are drafted from; the others stay in Intake.</summary>
    private static readonly string[] HealthSituations = ["ill_or_injured", "disabled", "mental_distress", "elderly_alone", "minor"];

    public static IEndpointRouteBuilder MapCaseNoticeFactsEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet("/internal/cases/{id:guid}/notice-facts", GetNoticeFacts).WithTags("Internal")
            .RequireAuthorization(policy => policy.RequireClaim(ReliefClaims.Subject, ReliefServiceClients.FamilySearch));
        return app;
    }

    private const string SelectFacts = """
        select id, case_number, county_code, service_point_code, person_name, sex, birth_date, estimated_age,
               identity_status, id_number_sealed is not null as document_given, situations, place, registered_at, anonymised_at
        from cases where id = @Id
        """;

    /// <summary>Beijing time: the day an age is counted on.</summary>
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    public static async Task<Results<Ok<CaseNoticeFacts>, NotFound>> GetNoticeFacts(
        Guid id, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<FactsRow>(new CommandDefinition(
            SelectFacts, new { Id = id }, cancellationToken: cancellationToken));
        // An anonymised case has no person left to look for.
        if (row is null || row.AnonymisedAt is not null)
        {
            return TypedResults.NotFound();
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(Beijing).DateTime);
        return TypedResults.Ok(new CaseNoticeFacts(
            id,
            row.CaseNumber,
            row.CountyCode,
            row.ServicePointCode,
            string.IsNullOrWhiteSpace(row.PersonName) ? null : row.PersonName,
            row.Sex.ToLowerInvariant(),
            row.BirthDate is { } birth ? CaseFactsEndpoint.AgeOn(DateOnly.FromDateTime(birth), today) : row.EstimatedAge,
            AgeEstimated: row.BirthDate is null,
            row.IdentityStatus,
            new DateTimeOffset(DateTime.SpecifyKind(row.RegisteredAt, DateTimeKind.Utc)),
            string.IsNullOrWhiteSpace(row.Place) ? null : row.Place,
            row.Situations.Where(HealthSituations.Contains).ToArray(),
            row.DocumentGiven));
    }

    private sealed class FactsRow
    {
        public string CaseNumber { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public string ServicePointCode { get; init; } = "";
        public string? PersonName { get; init; }
        public string Sex { get; init; } = "";
        public DateTime? BirthDate { get; init; }
        public short? EstimatedAge { get; init; }
        public string IdentityStatus { get; init; } = "";
        public bool DocumentGiven { get; init; }
        public string[] Situations { get; init; } = [];
        public string? Place { get; init; }
        public DateTime RegisteredAt { get; init; }
        public DateTime? AnonymisedAt { get; init; }
    }
}

/// <summary>What a family-search notice is drafted from (<see cref="CaseNoticeFactsEndpoint"/>).</summary>
public sealed record CaseNoticeFacts(
    Guid CaseId,
    string CaseNumber,
    string CountyCode,
    string ServicePointCode,
    /// <summary>The name as the person gave it, if they did.</summary>
    string? Name,
    /// <summary>male, female or unknown.</summary>
    string Sex,
    /// <summary>From the birth date when known, else the estimated age; null when neither is.</summary>
    int? Age,
    /// <summary>Whether <see cref="Age"/> is staff's estimate (no birth date known).</summary>
    bool AgeEstimated,
    /// <summary>unconfirmed, id_card_checked, police_check, self_declared or not_established.</summary>
    string IdentityStatus,
    DateTimeOffset RegisteredAt,
    /// <summary>Where the person was met, as staff wrote it.</summary>
    string? Place,
    /// <summary>Of the case's situations, those that speak of health: ill_or_injured, disabled, mental_distress, elderly_alone, minor.</summary>
    string[] HealthSituations,
    /// <summary>Whether an identity document was given (not yet necessarily checked): whether, not which.</summary>
    bool DocumentGiven = false);
