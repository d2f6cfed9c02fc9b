using System.Globalization;

namespace Relief.ServiceDefaults.Http;

/// <summary>
/// A point in time given in a query string: ISO 8601 with any offset (<c>2026-11-29T08:00:00+08:00</c>, <c>…Z</c>) or a
/// date alone (midnight UTC). A '+' that reached the server as a space (an unencoded query string) is read as '+'.
/// Always handed to the database in UTC, which is what <c>timestamptz</c> parameters accept.
/// </summary>
public readonly record struct Timestamp(DateTimeOffset Value)
{
    public DateTimeOffset Utc => Value.ToUniversalTime();

    public static bool TryParse(string? text, IFormatProvider? provider, out Timestamp timestamp)
    {
        timestamp = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var normalized = text.Trim();
        // "…T08:00:00 08:00": the '+' of the offset was decoded as a space.
        if (normalized.Length > 6 && normalized[^6] == ' ' && normalized[^3] == ':')
        {
            normalized = string.Concat(normalized.AsSpan(0, normalized.Length - 6), "+", normalized.AsSpan(normalized.Length - 5));
        }

        if (!DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed))
        {
            return false;
        }

        timestamp = new Timestamp(parsed);
        return true;
    }
}
