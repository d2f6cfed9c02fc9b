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
    public const double ProposalThreshold = 0.30;

    /// <summary>A candidate at least this strong is shown as a likely match (the evaluation's "above the confirmation threshold").</summary>
    public const double ConfirmationThreshold = 0.70;

    /// <summary>The evidence (log-odds) at which the score is ½, and its scale: calibrated on the evaluation's set.</summary>
    private const double EvidenceOffset = 5.5;
    private const double EvidenceScale = 1.5;

    /// <summary>An age this far outside the notice's estimate (after the years since) rules the pair out.</summary>
    private const int AgeRuledOutBeyond = 12;

    /// <summary>Prepared once per notice: its text as bigram sets (the evaluation scores a million pairs).</summary>
    public sealed class PreparedNotice(NoticeTraits traits)
    {
        public NoticeTraits Traits { get; } = traits;
        internal HashSet<string> Features { get; } = Bigrams(traits.Features);
        internal HashSet<string> FeatureConcepts { get; } = ConceptsOf(traits.Features);
        internal HashSet<string> Clothing { get; } = Bigrams(traits.Clothing);
        internal HashSet<string> Place { get; } = Bigrams(traits.FoundPlace);
        internal string Accent { get; } = AccentCore(traits.Accent);
        internal string Name { get; } = Normalize(traits.Name);
    }

    public sealed class PreparedReport(ReportTraits traits)
    {
        public ReportTraits Traits { get; } = traits;
        internal HashSet<string> Features { get; } = Bigrams(traits.Features);
        internal HashSet<string> FeatureConcepts { get; } = ConceptsOf(traits.Features);
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
        // Evidence in log-odds, item by item (Fellegi–Sunter record linkage): how much likelier the observation is for the
        // same person than for two people drawn at random. An unknown item adds nothing either way.
        var evidence = 0.0;
        void Add(double weight, string reason, double agreesAt = 0.5)
        {
            evidence += weight;
            if (weight >= agreesAt)
            {
                reasons.Add(reason);
            }
        }

        if (reasons.Contains("sex"))
        {
            Add(0.7, "sex", agreesAt: double.MaxValue);
        }

        // The age expected when found, against the notice's estimated range (staff's estimate ± a margin: its middle the likeliest).
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

            var fromMiddle = Math.Abs(expected - (low + high) / 2.0);
            Add(fromMiddle <= 2 ? 1.5 : fromMiddle <= 5 ? 0.8 : fromMiddle <= 8 ? -0.5 : -1.5, "age");
        }

        // Most people are found within weeks of going missing, fewer after years; a decades-old report still matches on the rest.
        if (n.FoundOn is { } found)
        {
            var days = found.DayNumber - (r.LastSeenOn ?? new DateOnly(r.LastSeenYear, 7, 1)).DayNumber;
            Add(days <= 120 ? 1.0 : days <= 3 * 365 ? 0.2 : days <= 10 * 365 ? -0.3 : -0.6, "soon_after", agreesAt: 1.0);
        }

        // A child's height then says little of the height years later.
        if (n.HeightCm is { } nh && r.HeightCm is { } rh && !(r.AgeThen < 18 && yearsSince > 1))
        {
            var diff = Math.Abs(nh - rh);
            Add(diff <= 3 ? 1.0 : diff <= 6 ? 0.5 : diff <= 10 ? -0.5 : -1.5, "height");
        }

        if (Similarity(notice.Features, report.Features) is { } text)
        {
            // The marks both name count as much as the wording they share.
            var features = Similarity(notice.FeatureConcepts, report.FeatureConcepts) is { } concepts ? (text + concepts) / 2 : text;
            Add(9 * (features - 0.3), "features", agreesAt: 1.0);
        }

        // Clothes are changed: what someone wore when last seen says something only if they were found within the year.
        if (yearsSince <= 1 && Similarity(notice.Clothing, report.Clothing) is { } clothing)
        {
            Add(3 * (clothing - 0.3), "clothing", agreesAt: 0.6);
        }

        if (AccentSimilarity(notice.Accent, report.Accent) is { } accent)
        {
            Add(accent >= 0.99 ? 1.5 : 3 * (accent - 0.5), "accent");
        }

        if (Region(n.FoundCounty, r.LastSeenCounty, notice.Place, report.Place) is { } region)
        {
            Add(region, "region");
        }

        if (notice.Name.Length > 0 && report.Name.Length > 0)
        {
            // A confused person may give a wrong name: a difference counts for less than a match.
            Add(notice.Name == report.Name ? 3 : -1, "name");
        }

        // The evidence as a 0–1 score: the logistic, shifted so that a pair agreeing on the usual handful of items is
        // around the middle (the prior odds of a random notice being the one are small).
        return new MatchScore(Math.Round(1 / (1 + Math.Exp(-(evidence - EvidenceOffset) / EvidenceScale)), 4), reasons);
    }

    private static bool Known(string sex) => sex is "male" or "female";

    /// <summary>
    /// Evidence from where: found in the county last seen +3, the same prefecture +1.5, the same province +0.5,
    /// elsewhere -0.5 (people wander far, for years); without a code on one side, the places' text.
    /// </summary>
    private static double? Region(string? foundCounty, string? lastSeenCounty, HashSet<string> foundPlace, HashSet<string> lastSeenPlace)
    {
        if (foundCounty is { Length: 6 } a && lastSeenCounty is { Length: 6 } b)
        {
            return a == b ? 3 : a[..4] == b[..4] ? 1.5 : a[..2] == b[..2] ? 0.5 : -0.5;
        }

        return foundPlace.Count > 0 && lastSeenPlace.Count > 0 ? 4 * (Similarity(foundPlace, lastSeenPlace)!.Value - 0.3) : null;
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

    /// <summary>
    /// The text's characters and character bigrams, punctuation and spaces dropped (no bigram spans two clauses). The
    /// characters carry a reworded description (左眉有痣 / 左边眉毛上有颗痣 share 左 眉 痣), the bigrams its order; characters
    /// that say nothing of a person (有, 一, 的, 颗 …) are left out.
    /// </summary>
    public static HashSet<string> Bigrams(string? text)
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return tokens;
        }

        foreach (var clause in Clauses(text))
        {
            foreach (var c in clause)
            {
                if (!Filler.Contains(c))
                {
                    tokens.Add(c.ToString());
                }
            }

            for (var i = 0; i + 1 < clause.Length; i++)
            {
                tokens.Add(clause.Substring(i, 2));
            }

            foreach (var (concept, wordings) in Concepts)
            {
                if (wordings.Any(wording => clause.Contains(wording, StringComparison.Ordinal)))
                {
                    tokens.Add(concept);
                }
            }
        }

        return tokens;
    }

    /// <summary>
    /// What families and staff describe in different words (跛 / 瘸, 聋 / 听力不好): each a token of its own, so the two
    /// descriptions share it. A small domain vocabulary of bodily marks and conditions, not a general thesaurus.
    /// </summary>
    private static readonly (string Concept, string[] Wordings)[] Concepts =
    [
        ("#lame", ["瘸", "跛", "拐"]),
        ("#deaf", ["聋", "听力", "耳背", "耳朵背", "听不清", "听不见"]),
        ("#blind", ["失明", "瞎", "看不见", "看不到"]),
        ("#stutter", ["结巴", "口吃"]),
        ("#extra_finger", ["六指", "多一根手指", "多一指", "六个指头", "多一个指头"]),
        ("#missing_finger", ["缺一根手指", "少一指", "缺一指", "断指", "指缺失", "少一根手指"]),
        ("#bald", ["秃", "头发稀少", "谢顶"]),
        ("#hunchback", ["驼背", "背有点驼", "弯腰"]),
        ("#squint", ["斜视", "斜眼", "对眼"]),
        ("#mole", ["痣"]),
        ("#scar", ["疤", "伤痕"]),
        ("#birthmark", ["胎记"]),
        ("#tattoo", ["纹身", "刺青", "纹了"]),
        ("#intellect", ["智力", "智障", "反应迟钝", "痴呆"]),
        ("#glasses", ["眼镜"]),
        ("#freckles", ["雀斑"]),
        ("#buck_teeth", ["龅牙", "牙齿外凸", "暴牙"]),
        ("#missing_tooth", ["缺牙", "门牙缺", "缺了颗门牙", "门牙掉", "掉了颗牙"]),
    ];

    private static HashSet<string> ConceptsOf(string? text) =>
        Bigrams(text).Where(token => token.StartsWith('#')).ToHashSet(StringComparer.Ordinal);

    private static readonly HashSet<char> Filler = [.. "有一的了颗个是点些很在着和与及也又都被把上下里起来得地儿子头部处块道副"];

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
