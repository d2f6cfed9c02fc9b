using Relief.Registry.Persons;

namespace Relief.UnitTests;

public sealed class PersonMatchingTests
{
    private static readonly DateOnly Today = new(2026, 11, 29);

    private static PersonTraits Person(string? name = "王大明", string sex = "Male", DateOnly? birth = null, int? age = 70,
        string? region = null, string county = "140802", bool id = false) => new()
    {
        Id = Guid.NewGuid(), Name = name, Sex = sex, BirthDate = birth, EstimatedAge = age, HouseholdRegion = region, CountyCode = county,
        HasIdNumber = id, RecordedAt = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc),
    };

    [Fact]
    public void Same_name_similar_age_and_county_is_a_candidate_with_its_reasons()
    {
        var (score, reasons) = PersonMatching.Score(Person(age: 70), Person(name: "王 大明", age: 72), Today);

        Assert.Equal(0.8m, score);
        Assert.Equal(["same_name", "age_within_3_years", "same_county"], reasons);
        Assert.True(score >= PersonMatching.CandidateThreshold);
    }

    [Fact]
    public void A_birth_date_and_household_region_in_common_score_highest()
    {
        var birth = new DateOnly(1956, 3, 1);

        var (score, _) = PersonMatching.Score(Person(birth: birth, region: "140821", id: true), Person(birth: birth, region: "140821", age: null), Today);

        Assert.Equal(1.0m, score);
    }

    [Theory]
    [InlineData("two identity documents")]
    [InlineData("two known sexes")]
    [InlineData("two birth dates")]
    [InlineData("ages far apart")]
    [InlineData("no name")]
    public void What_proves_two_people_apart_scores_nothing(string why)
    {
        var (a, b) = why switch
        {
            "two identity documents" => (Person(id: true), Person(id: true)),
            "two known sexes" => (Person(sex: "Male"), Person(sex: "Female")),
            "two birth dates" => (Person(birth: new DateOnly(1950, 1, 1)), Person(birth: new DateOnly(1950, 1, 2))),
            "ages far apart" => (Person(age: 70), Person(age: 41)),
            _ => (Person(name: null), Person()),
        };

        Assert.Equal(0m, PersonMatching.Score(a, b, Today).Score);
    }

    [Fact]
    public void An_unknown_sex_does_not_keep_two_records_apart_and_a_name_alone_is_not_enough()
    {
        Assert.True(PersonMatching.Score(Person(sex: "Unknown"), Person(), Today).Score >= PersonMatching.CandidateThreshold);
        Assert.True(PersonMatching.Score(Person(age: null, county: "140821"), Person(age: null), Today).Score < PersonMatching.CandidateThreshold);
    }
}
