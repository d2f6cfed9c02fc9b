namespace Relief.FamilySearch.Deadlines;

/// <summary>The deadlines of family search ("FamilySearch:Deadlines" in configuration).</summary>
public sealed class DeadlineOptions
{
    public const string SectionName = "FamilySearch:Deadlines";

    /// <summary>A notice is out within 24 hours of the person entering the station (民发〔2015〕158号).</summary>
    public TimeSpan NoticeDueWithin { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long after one level of a deadline was due the next is raised (the county office after the station).</summary>
    public TimeSpan EscalateAfter { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Levels of one deadline: 1 the station's desk, 2 the county office.</summary>
    public int EscalationLevels { get; set; } = 2;

    /// <summary>
    /// How soon the police should answer each kind of request: a DNA sample within a month, an identity check within a week,
    /// a report of a suspected lost, abandoned or trafficked person at once (a day).
    /// </summary>
    public Dictionary<string, TimeSpan> PoliceDueWithin { get; set; } = new()
    {
        [PoliceRequestKinds.DnaSample] = TimeSpan.FromDays(30),
        [PoliceRequestKinds.IdentityCheck] = TimeSpan.FromDays(7),
        [PoliceRequestKinds.TraffickingReport] = TimeSpan.FromDays(1),
    };

    /// <summary>How often the watcher looks for deadlines that have passed.</summary>
    public TimeSpan PollEvery { get; set; } = TimeSpan.FromSeconds(5);
}

public static class PoliceRequestKinds
{
    public const string IdentityCheck = "identity_check";
    public const string DnaSample = "dna_sample";
    public const string TraffickingReport = "trafficking_report";

    public static readonly string[] All = [IdentityCheck, DnaSample, TraffickingReport];
}
