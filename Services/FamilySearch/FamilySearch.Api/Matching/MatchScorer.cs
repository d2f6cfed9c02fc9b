using System.Globalization;
using System.Text;

namespace Relief.FamilySearch.Matching;

/// <summary>What a notice says of the person found, as the scorer reads it (the sealed details opened).</summary>
public sealed record NoticeTraits(
    Guid Id, string Sex, int? AgeLow, int? AgeHigh, int? HeightCm, DateOnly? FoundOn, string? FoundCounty,
    string? Accent, string? Name, string? Features, string? Clothing, string? FoundPlace);

/// <summary>What a missing-person report says of the person sought (the sealed part opened; never the reporter).</summary>
public sealed record ReportTraits(
    Guid Id, string Sex, int AgeThen, int LastSeenYear, DateOnly? LastSeenOn, int? HeightCm, string? LastSeenCounty,
    string? Accent, string? Name, string? Features, string? Clothing, string? LastSeenPlace);

/// <summary>A pair's score (0–1) and the codes of the items that agree, for staff to read why.</summary>
public sealed record MatchScore(double Score, IReadOnlyList<string> Reasons);

/// <summary>
/// Scores a notice against a missing-person report: pure logic, the same for the service's matching pass and for the
/// evaluation on generated data (tests, bench). Sex is a hard filter when both are known; so are dates (found before last
/// seen) and an age far off. The rest is a weighted mean of item similarities, an unknown item counting as a neutral
/// value so that a sparse notice can neither win nor lose on what it does not say. Text (features, clothing, places,
/// accents) is compared as sets of Chinese character bigrams — reworded descriptions keep most of their bigrams
/// (左眉, 有痣, 缺一, 门牙) while word order and filler change.
/// </summary>
public static class MatchScorer
{
    /// <summary>Pairs scoring at least this are kept as candidates for staff to look at.</summary>
    public const double ProposalThreshold = 0.45;

    /// <summary>A candidate at least this strong is shown as a likely match (the evaluation's "above the confirmation threshold").</summary>
    public const double ConfirmationThreshold = 0.70;

    private const double Neutral = 0.35;
    private const double FeaturesWeight = 0.40;
    private const double AgeWeight = 0.15;
    private const double HeightWeight = 0.10;
    private const double RegionWeight = 0.10;
    private const double AccentWeight = 0.10;
    private const double ClothingWeight = 0.05;
    private const double NameWeight = 0.10;

    /// <summary>An age this far outside the notice's estimate (after the years since) rules the pair out.</summary>
    private const int AgeRuledOutBeyond = 12;

    /// <summary>Prepared once per notice: its text as bigram sets (the evaluation scores a million pairs).</summary>
    public sealed class PreparedNotice(NoticeTraits traits)
    {
        public NoticeTraits Traits { get; } = traits;
        internal HashSet<string> Features { get; } = Bigrams(traits.Features);
        internal HashSet<string> Clothing { get; } = Bigrams(traits.Clothing);
        internal HashSet<string> Place { get; } = Bigrams(traits.FoundPlace);
        internal string Accent { get; } = AccentCore(traits.Accent);
        internal string Name { get; } = Normalize(traits.Name);
    }

    public sealed class PreparedReport(ReportTraits traits)
    {
        public ReportTraits Traits { get; } = traits;
        internal HashSet<string> Features { get; } = Bigrams(traits.Features);
        internal HashSet<string> Clothing { get; } = Bigrams(traits.Clothing);
        internal HashSet<string> Place { get; } = Bigrams(traits.LastSeenPlace);
        internal string Accent { get; } = AccentCore(traits.Accent);
        internal string Name { get; } = Normalize(traits.Name);
    }

    public static PreparedNotice Prepare(NoticeTraits notice) => new(notice);

    public static PreparedReport Prepare(ReportTraits report) => new(report);

    public static MatchScore? Score(NoticeTraits notice, ReportTraits report, DateOnly today) => Score(Prepare(notice), Prepare(report), today);

    /// <summary>The pair's score, or null when a hard filter rules it out (sex, dates, age far off).</summary>
    public static MatchScore? Score(PreparedNotice notice, PreparedReport report, DateOnly today)
    {
        var n = notice.Traits;
        var r = report.Traits;
        var reasons = new List<string>(8);
        if (Known(n.Sex) && Known(r.Sex))
        {
            if (n.Sex != r.Sex)
            {
                return null;
            }

            reasons.Add("sex");
        }

        // Found before last seen: not the same person (a month's grace for a date remembered wrong).
        if (n.FoundOn is { } foundOn)
        {
            if (r.LastSeenOn is { } lastSeenOn ? foundOn < lastSeenOn.AddDays(-31) : foundOn.Year < r.LastSeenYear)
            {
                return null;
            }

            reasons.Add("dates");
        }

        var foundYear = n.FoundOn?.Year ?? today.Year;
        var yearsSince = Math.Max(0, foundYear - r.LastSeenYear);
        var weighted = 0.0;
        var total = 0.0;

        void Add(double weight, double? similarity, string reason, double agreesAt = 0.6)
        {
            weighted += weight * (similarity ?? Neutral);
            total += weight;
            if (similarity >= agreesAt)
            {
                reasons.Add(reason);
            }
        }

        // The age expected when found, against the notice's estimated range.
        double? age = null;
        if (n.AgeLow is not null || n.AgeHigh is not null)
        {
            var expected = r.AgeThen + yearsSince;
            var low = n.AgeLow ?? n.AgeHigh!.Value - 5;
            var high = n.AgeHigh ?? n.AgeLow!.Value + 5;
            var off = expected < low ? low - expected : expected > high ? expected - high : 0;
            if (off > AgeRuledOutBeyond)
            {
                return null;
            }

            age = Math.Max(0, 1 - off / 8.0);
        }

        Add(AgeWeight, age, "age", agreesAt: 0.74);

        // A child's height then says little of the height years later.
        double? height = null;
        if (n.HeightCm is { } nh && r.HeightCm is { } rh && !(r.AgeThen < 18 && yearsSince > 1))
        {
            var diff = Math.Abs(nh - rh);
            height = diff <= 3 ? 1 : Math.Max(0, 1 - (diff - 3) / 15.0);
        }

        Add(HeightWeight, height, "height", agreesAt: 0.86);
        Add(FeaturesWeight, Similarity(notice.Features, report.Features), "features", agreesAt: 0.35);
        // Clothes are changed: what someone wore when last seen says something only if they were found within the year.
        Add(ClothingWeight, yearsSince <= 1 ? Similarity(notice.Clothing, report.Clothing) : null, "clothing", agreesAt: 0.35);
        Add(AccentWeight, AccentSimilarity(notice.Accent, report.Accent), "accent");
        Add(RegionWeight, Region(n.FoundCounty, r.LastSeenCounty, notice.Place, report.Place), "region");
        Add(NameWeight, notice.Name.Length > 0 && report.Name.Length > 0
            ? notice.Name == report.Name ? 1 : Similarity(Bigrams(notice.Name), Bigrams(report.Name)) * 0.5
            : null, "name", agreesAt: 0.99);

        return new MatchScore(Math.Round(weighted / total, 4), reasons);
    }

    private static bool Known(string sex) => sex is "male" or "female";

    /// <summary>
    /// Same county 1, same prefecture 0.7, same province 0.4, elsewhere 0.1 (people wander far, for years); without a
    /// code on one side, the places' text.
    /// </summary>
    private static double? Region(string? foundCounty, string? lastSeenCounty, HashSet<string> foundPlace, HashSet<string> lastSeenPlace)
    {
        if (foundCounty is { Length: 6 } a && lastSeenCounty is { Length: 6 } b)
        {
            return a == b ? 1 : a[..4] == b[..4] ? 0.7 : a[..2] == b[..2] ? 0.4 : 0.1;
        }

        return foundPlace.Count > 0 && lastSeenPlace.Count > 0 ? Similarity(foundPlace, lastSeenPlace) : null;
    }

    private static double? AccentSimilarity(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return null;
        }

        if (a.Contains(b, StringComparison.Ordinal) || b.Contains(a, StringComparison.Ordinal))
        {
            return 1;
        }

        return Similarity(Bigrams(a), Bigrams(b));
    }

    /// <summary>"山西口音", "山西话", "说山西方言" → "山西": the place an accent names.</summary>
    private static string AccentCore(string? accent)
    {
        var text = Normalize(accent);
        foreach (var filler in AccentFiller)
        {
            text = text.Replace(filler, "", StringComparison.Ordinal);
        }

        return text;
    }

    private static readonly string[] AccentFiller = ["口音", "方言", "土话", "话", "说", "讲", "一带", "的"];

    /// <summary>Ochiai (cosine of sets): |A∩B| / √(|A|·|B|), 0 when either is empty; null when both are.</summary>
    private static double? Similarity(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return null;
        }

        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        var common = 0;
        foreach (var bigram in small)
        {
            if (large.Contains(bigram))
            {
                common++;
            }
        }

        return common / Math.Sqrt((double)a.Count * b.Count);
    }

    /// <summary>The text's character bigrams, punctuation and spaces dropped (each clause on its own: no bigram spans two).</summary>
    public static HashSet<string> Bigrams(string? text)
    {
        var bigrams = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return bigrams;
        }

        foreach (var clause in Clauses(text))
        {
            if (clause.Length == 1)
            {
                bigrams.Add(clause);
            }

            for (var i = 0; i + 1 < clause.Length; i++)
            {
                bigrams.Add(clause.Substring(i, 2));
            }
        }

        return bigrams;
    }

    private static IEnumerable<string> Clauses(string text)
    {
        var clause = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c))
            {
                clause.Append(char.ToLowerInvariant(c));
            }
            else if (clause.Length > 0)
            {
                yield return clause.ToString();
                clause.Clear();
            }
        }

        if (clause.Length > 0)
        {
            yield return clause.ToString();
        }
    }

    private static string Normalize(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "" : string.Concat(Clauses(text).Select(clause => clause.ToString(CultureInfo.InvariantCulture)));
}
