using System.Globalization;

namespace Relief.ServiceDefaults.PersonalData;

/// <summary>
/// The resident ID number (居民身份证号码, GB 11643-1999): 6-digit region code (GB/T 2260), birth date
/// YYYYMMDD, 3-digit sequence (odd = male), check character.
/// </summary>
public static class ResidentIdNumber
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    /// <summary>Province-level codes of GB/T 2260 (checked strictly; county parts are not: old cards keep abolished codes).</summary>
    private static readonly HashSet<string> Provinces =
    [
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
        "71", "81", "82",
    ];

    /// <summary>Upper-cases a trailing x, trims; null when there is nothing.</summary>
    public static string? Normalize(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToUpperInvariant();

    /// <summary>Why <paramref name="normalized"/> is not a valid number, or null when it is.</summary>
    public static string? Problem(string normalized, DateOnly today)
    {
        if (normalized.Length != 18 || !normalized[..17].All(char.IsAsciiDigit) || !(char.IsAsciiDigit(normalized[17]) || normalized[17] == 'X'))
        {
            return "身份证号为 17 位数字加校验位（数字或 X） / A resident ID number has 17 digits and a check digit or X.";
        }

        if (!Provinces.Contains(normalized[..2]))
        {
            return "地区码不是中国的省份 / The region code names no province of China.";
        }

        if (!DateOnly.TryParseExact(normalized.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth)
            || birth > today || birth.Year < 1850)
        {
            return "出生日期不可能或在将来 / The birth date is impossible or in the future.";
        }

        return CheckCharacter(normalized.AsSpan(0, 17)) == normalized[17] ? null : "校验位错误 / The check digit does not match.";
    }

    /// <summary>The check character of the first 17 digits: Σ(dᵢ·wᵢ) mod 11 → 1 0 X 9 8 7 6 5 4 3 2.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17Digits)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17Digits[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    /// <summary>For display: region code and last four stay, the birth date and sequence are starred.</summary>
    public static string Mask(string normalized) =>
        normalized.Length == 18 ? string.Concat(normalized.AsSpan(0, 6), "********", normalized.AsSpan(14, 4)) : "******";
}
