using Relief.ServiceDefaults;

namespace Relief.Referral.ReliefLedger;

/// <summary>
/// The province (GB/T 2260, two digits) a travel voucher takes the person to, for the statistics of vouchers by
/// destination: coarse on purpose — where a person is going is theirs, a province is not a whereabouts. Known only when
/// staff wrote the destination as a county code (the household place, usually) or named one of Yuncheng's counties;
/// otherwise none, never a guess.
/// </summary>
public static class DestinationProvince
{
    /// <summary>The provinces, autonomous regions, municipalities and SARs of GB/T 2260 (and Taiwan, 71).</summary>
    public static readonly IReadOnlySet<string> Codes = new HashSet<string>(StringComparer.Ordinal)
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
        "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    };

    private const string Shanxi = "14";

    public static string? Of(string kind, string? destination)
    {
        var place = destination?.Trim();
        if (kind != ReliefKinds.TravelVoucher || string.IsNullOrEmpty(place))
        {
            return null;
        }

        if (place is { Length: 6 } && place.All(char.IsAsciiDigit))
        {
            return Codes.Contains(place[..2]) ? place[..2] : null;
        }

        return YunchengCounties.Names.Values.Any(county => place.Contains(county, StringComparison.Ordinal)) ? Shanxi : null;
    }
}
