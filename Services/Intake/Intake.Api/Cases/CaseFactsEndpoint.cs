using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Http;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.Intake.Cases;

/// <summary>
/// The facts of a case that classified relief (分类救助) decides on, as Referral needs them: how the identity was
/// established, the situation (ill or injured, a minor …), the needs, the age and the household county. Some of them are
/// health data, so they never travel on the bus: Referral reads them here with its own client token after each
/// <c>CaseRegistered</c>, <c>IdentityConfirmed</c> or <c>CaseUpdated</c>, as Reporting does — the cases its consumers are
/// handling at the moment in one call. No name and no identity document leave Intake.
/// </summary>
public static class CaseFactsEndpoint
{
    public static IEndpointRouteBuilder MapCaseFactsEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/cases/facts", GetCaseFacts).WithTags("Internal").Validate<CaseIdsRequest>()
            .RequireAuthorization(policy => policy.RequireClaim(ReliefClaims.Subject,
                ReliefServiceClients.Referral, ReliefServiceClients.Reporting));
        return app;
    }

    // statement_timestamp(): the database's time of the read, one clock for every Intake instance, so Referral can tell
    // the older of two reads of one case apart and never let it overwrite the newer.
    private const string SelectFacts = """
        select id, case_number, county_code, service_point_code, channel, need, identity_status, birth_date, estimated_age,
               situations, needs, household_place, id_number_key_id, id_number_sealed, registered_at,
               statement_timestamp() as as_of
        from cases where id = any(@Ids) and anonymised_at is null
        """;

    /// <summary>Beijing time: the day an age is counted on.</summary>
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    /// <summary>The facts of the cases asked for that Intake has; an unknown or anonymised case (nothing left to decide on) is left out.</summary>
    public static async Task<Ok<CaseFacts[]>> GetCaseFacts(
        CaseIdsRequest request, NpgsqlDataSource db, PersonalDataProtector protector, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<FactsRow>(new CommandDefinition(
            SelectFacts, new { request.Ids }, cancellationToken: cancellationToken));
        var today = DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(Beijing).DateTime);
        return TypedResults.Ok(rows.Select(row => FactsOf(row, today, protector)).ToArray());
    }

    private static CaseFacts FactsOf(FactsRow row, DateOnly today, PersonalDataProtector protector)
    {
        var idNumber = row.IdNumberSealed is null ? null : protector.Open(new SealedValue(row.IdNumberKeyId!, row.IdNumberSealed), row.Id);
        return new CaseFacts(
            row.Id,
            row.CaseNumber,
            row.CountyCode,
            row.ServicePointCode,
            row.Channel,
            row.IdentityStatus,
            row.BirthDate is { } birth ? AgeOn(DateOnly.FromDateTime(birth), today) : row.EstimatedAge,
            row.Situations,
            row.Needs,
            HouseholdCounty(idNumber, row.HouseholdPlace),
            new DateTimeOffset(DateTime.SpecifyKind(row.RegisteredAt, DateTimeKind.Utc)),
            new DateTimeOffset(DateTime.SpecifyKind(row.AsOf, DateTimeKind.Utc)),
            DocumentGiven: row.IdNumberSealed is not null,
            Need: row.Need);
    }

    /// <summary>
    /// Completed years on <paramref name="today"/> (周岁). Someone born on 29 February comes of age on 1 March in a common
    /// year: the later day, so a minor is never counted an adult a day early.
    /// </summary>
    public static int AgeOn(DateOnly birth, DateOnly today) =>
        today.Year - birth.Year - ((today.Month, today.Day).CompareTo((birth.Month, birth.Day)) < 0 ? 1 : 0);

    /// <summary>
    /// The household-registration place (户籍地) as a GB/T 2260 county code: the ID number's region code (where the card
    /// was issued), else the place as staff typed it when that is a code or names one of Yuncheng's counties; else null.
    /// </summary>
    public static string? HouseholdCounty(string? idNumber, string? householdPlace)
    {
        if (idNumber is { Length: 18 })
        {
            return idNumber[..6];
        }

        var place = householdPlace?.Trim();
        if (place is { Length: 6 } && place.All(char.IsAsciiDigit))
        {
            return place;
        }

        // The longest name first: 绛县 is also the end of 新绛县.
        return place is null ? null : YunchengCounties.Names
            .OrderByDescending(county => county.Value.Length)
            .FirstOrDefault(county => place.EndsWith(county.Value, StringComparison.Ordinal)).Key;
    }

    private sealed class FactsRow
    {
        public Guid Id { get; init; }
        public string CaseNumber { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public string ServicePointCode { get; init; } = "";
        public string Channel { get; init; } = "";
        public string IdentityStatus { get; init; } = "";
        public string Need { get; init; } = "";
        public DateTime? BirthDate { get; init; }
        public short? EstimatedAge { get; init; }
        public string[] Situations { get; init; } = [];
        public string[] Needs { get; init; } = [];
        public string? HouseholdPlace { get; init; }
        public string? IdNumberKeyId { get; init; }
        public byte[]? IdNumberSealed { get; init; }
        public DateTime RegisteredAt { get; init; }
        public DateTime AsOf { get; init; }
    }
}

/// <summary>What classified relief decides on: codes, an age and a county — never a name, a number or a note.</summary>
public sealed record CaseFacts(
    Guid CaseId,
    string CaseNumber,
    string CountyCode,
    string ServicePointCode,
    /// <summary>WalkIn, Hotline, Outreach or Police.</summary>
    string Channel,
    /// <summary>unconfirmed, id_card_checked, police_check, relatives_confirmed, self_declared or not_established.</summary>
    string IdentityStatus,
    /// <summary>From the birth date when known, else the estimated age; null when neither is.</summary>
    int? Age,
    string[] Situations,
    string[] Needs,
    /// <summary>GB/T 2260 code of the household-registration place, or null.</summary>
    string? HouseholdCounty,
    DateTimeOffset RegisteredAt,
    /// <summary>When Intake read these facts (its database's clock): the newer of two reads wins.</summary>
    DateTimeOffset AsOf,
    /// <summary>Whether an identity document was given (not yet necessarily checked): whether, not which.</summary>
    bool DocumentGiven,
    /// <summary>The relief category staff chose at registration: Food, TravelVoucher, Referral or Emergency.</summary>
    string Need);
