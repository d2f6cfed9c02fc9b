using CsCheck;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.UnitTests;

/// <summary>
/// The resident ID validator (GB 11643) over generated numbers: every well-formed number is accepted, and every number
/// with one character changed or two neighbours swapped is refused — 10,000 of each.
/// </summary>
public sealed class IdNumberPropertyTests
{
    private static readonly DateOnly Today = new(2026, 11, 29);
    private static readonly string[] Regions = ["140802", "140821", "110105", "440524", "650102", "340524", "140899"];

    /// <summary>A valid number: a region, a birth date between 1900 and today, a sequence, its check character.</summary>
    private static readonly Gen<string> Valid =
        from regionIndex in Gen.Int[0, Regions.Length - 1]
        let region = Regions[regionIndex]
        from days in Gen.Int[0, Today.DayNumber - new DateOnly(1900, 1, 1).DayNumber]
        from sequence in Gen.Int[0, 999]
        let first17 = $"{region}{DateOnly.FromDayNumber(new DateOnly(1900, 1, 1).DayNumber + days):yyyyMMdd}{sequence:D3}"
        select first17 + ResidentIdNumber.CheckCharacter(first17);

    [Fact]
    public void Every_well_formed_number_is_accepted_in_upper_or_lower_case() =>
        Valid.Sample(number =>
        {
            Assert.Null(ResidentIdNumber.Problem(number, Today));
            Assert.Null(ResidentIdNumber.Problem(ResidentIdNumber.Normalize(number.ToLowerInvariant())!, Today));
        }, iter: 10_000);

    [Fact]
    public void Every_number_with_one_character_changed_is_refused() =>
        Gen.Select(Valid, Gen.Int[0, 17], Gen.Int[1, 10]).Sample((number, position, shift) =>
        {
            const string alphabet = "0123456789X";
            var changed = alphabet[(alphabet.IndexOf(number[position], StringComparison.Ordinal) + shift) % 11];
            if (position < 17 && changed == 'X')
            {
                changed = number[position] == '0' ? '1' : '0'; // an X belongs only in the check position
            }

            var corrupted = string.Concat(number.AsSpan(0, position), changed.ToString(), number.AsSpan(position + 1));
            Assert.NotNull(ResidentIdNumber.Problem(corrupted, Today));
        }, iter: 10_000);

    [Fact]
    public void Every_number_with_two_different_neighbours_swapped_is_refused() =>
        Gen.Select(Valid, Gen.Int[0, 16]).Where((number, position) => number[position] != number[position + 1])
            .Sample((number, position) =>
            {
                var swapped = number.ToCharArray();
                (swapped[position], swapped[position + 1]) = (swapped[position + 1], swapped[position]);
                Assert.NotNull(ResidentIdNumber.Problem(new string(swapped), Today));
            }, iter: 10_000);
}
