namespace Relief.Referral;

/// <summary>The limits and deadlines of classified relief and referrals ("Referral" in configuration).</summary>
public sealed class ReferralOptions
{
    /// <summary>
    /// How soon a referral of each priority must be accepted before it goes overdue; each further escalation level
    /// comes the same span later. An unidentified person: 30 minutes; a minor or an emergency: 10.
    /// </summary>
    public Dictionary<string, TimeSpan> AcceptWithin { get; set; } = new()
    {
        [ReferralPriority.Urgent] = TimeSpan.FromMinutes(10),
        [ReferralPriority.High] = TimeSpan.FromMinutes(30),
        [ReferralPriority.Normal] = TimeSpan.FromMinutes(60),
    };

    /// <summary>Levels of escalation of one deadline: the station's duty desk, the county office, the city.</summary>
    public int EscalationLevels { get; set; } = 3;

    /// <summary>Days of care at a station before an approved extension is needed (10 by the national rules).</summary>
    public int CareDays { get; set; } = 10;

    /// <summary>The most cash a short fare may be, in yuan (¥20 by the national rules), always with a signed receipt.</summary>
    public decimal CashFareLimit { get; set; } = 20m;

    /// <summary>The most a travel voucher may be worth, in yuan; above it needs another way home (an escort).</summary>
    public decimal TravelVoucherCap { get; set; } = 500m;

    /// <summary>How often the deadline watcher looks for deadlines that have passed.</summary>
    public TimeSpan DeadlinePollEvery { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan AcceptWithinFor(string priority) =>
        AcceptWithin.TryGetValue(priority, out var span) ? span : AcceptWithin[ReferralPriority.Normal];
}

public static class ReferralPriority
{
    public const string Urgent = "urgent";
    public const string High = "high";
    public const string Normal = "normal";

    public static readonly string[] All = [Urgent, High, Normal];
}
