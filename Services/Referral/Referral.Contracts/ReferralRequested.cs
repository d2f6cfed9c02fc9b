namespace Relief.Referral.Contracts;

/// <summary>
/// What every event of a referral's lifecycle carries, so that a consumer can place it and keep only the newest state:
/// <see cref="Sequence"/> is the referral's version after the change (1 when requested), and a consumer that has seen
/// a higher one for the referral ignores the older.
/// </summary>
public interface IReferralEvent
{
    Guid ReferralId { get; }
    Guid CaseId { get; }
    /// <summary>GB/T 2260 code of the case's county.</summary>
    string CountyCode { get; }
    /// <summary>The county whose relief station (救助管理站) holds the referral.</summary>
    string ReceivingStationCounty { get; }
    int Sequence { get; }
    DateTimeOffset At { get; }
}

/// <summary>A referral (转介) was sent to a relief station, which must now accept or reject it.</summary>
public sealed record ReferralRequested : IReferralEvent
{
    public required Guid ReferralId { get; init; }
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    /// <summary>
    /// The county (GB/T 2260) whose relief station (救助管理站) receives the referral: each county or district has one.
    /// </summary>
    public required string ReceivingStationCounty { get; init; }
    public string ServicePointCode { get; init; } = "";
    /// <summary>urgent, high or normal: sets how soon it must be accepted.</summary>
    public string Priority { get; init; } = "normal";
    /// <summary>When it must be accepted by before it goes overdue.</summary>
    public DateTimeOffset? AcceptBy { get; init; }
    public int Sequence { get; init; } = 1;
    public required DateTimeOffset SentAt { get; init; }
    DateTimeOffset IReferralEvent.At => SentAt;
}
