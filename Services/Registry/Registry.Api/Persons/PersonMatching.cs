namespace Relief.Registry.Persons;

/// <summary>What de-duplication compares of a person record.</summary>
public sealed class PersonTraits
{
    public Guid Id { get; init; }
    public string? Name { get; init; }
    public string Sex { get; init; } = "Unknown";
    public DateOnly? BirthDate { get; init; }
    /// <summary>The age estimated when <see cref="RecordedAt"/> was.</summary>
    public int? EstimatedAge { get; init; }
    public string? HouseholdRegion { get; init; }
    public string CountyCode { get; init; } = "";
    public bool HasIdNumber { get; init; }
    public DateTime RecordedAt { get; init; }

    /// <summary>The age at <paramref name="on"/>: from the birth date, or the estimate carried forward.</summary>
    public int? AgeOn(DateOnly on) => BirthDate is { } birth
        ? on.Year - birth.Year - (on < birth.AddYears(on.Year - birth.Year) ? 1 : 0)
        : EstimatedAge + (on.Year - RecordedAt.Year);
}

/// <summary>
/// Whether two records without a common identity document may be one person: scored on the name, the birth date or age,
/// and the region. Staff decide; the score only orders and explains the candidates. Anything that proves two people apart
/// (two identity documents, two known sexes, two birth dates, ages far apart) scores nothing.
/// </summary>
public static class PersonMatching
{
    /// <summary>A pair scoring at least this is shown to staff as a candidate.</summary>
    public const decimal CandidateThreshold = 0.6m;

    public static (decimal Score, string[] Reasons) Score(PersonTraits a, PersonTraits b, DateOnly today)
    {
        if (a.Name is null || b.Name is null || a.HasIdNumber && b.HasIdNumber
            || a.Sex != "Unknown" && b.Sex != "Unknown" && a.Sex != b.Sex
            || a.BirthDate is { } x && b.BirthDate is { } y && x != y)
        {
            return (0, []);
        }

        var reasons = new List<string>();
        var score = 0m;
        if (Normalize(a.Name) == Normalize(b.Name))
        {
            score += 0.5m;
            reasons.Add("same_name");
        }

        if (a.BirthDate is not null && a.BirthDate == b.BirthDate)
        {
            score += 0.3m;
            reasons.Add("same_birth_date");
        }
        else if (a.AgeOn(today) is { } ageA && b.AgeOn(today) is { } ageB)
        {
            var apart = Math.Abs(ageA - ageB);
            if (apart > 10)
            {
                return (0, []);
            }

            if (apart <= 3)
            {
                score += 0.2m;
                reasons.Add("age_within_3_years");
            }
            else if (apart <= 5)
            {
                score += 0.1m;
                reasons.Add("age_within_5_years");
            }
        }

        if (a.HouseholdRegion is not null && a.HouseholdRegion == b.HouseholdRegion)
        {
            score += 0.2m;
            reasons.Add("same_household_region");
        }
        else if (a.CountyCode == b.CountyCode)
        {
            score += 0.1m;
            reasons.Add("same_county");
        }

        return (score, reasons.ToArray());
    }

    /// <summary>Names compare without spaces or the middle dot of minority names written in Chinese.</summary>
    private static string Normalize(string name) =>
        string.Concat(name.Where(c => !char.IsWhiteSpace(c) && c is not ('·' or '•' or '.'))).ToUpperInvariant();
}
