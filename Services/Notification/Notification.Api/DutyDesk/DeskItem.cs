namespace Relief.Notification.DutyDesk;

/// <summary>
/// One message on one office's duty desk: what happened (<see cref="Kind"/>), about which case and referral, in Chinese
/// text from a template that names the case by its number and links to where the desk acts — never an ID number or a
/// person's name. A desk is addressed by what it is: the office of <see cref="RecipientKind"/> in
/// <see cref="RecipientCounty"/> (each county has one relief station and one county office; the city one bureau), and
/// for service points and the hotline also by <see cref="RecipientOffice"/>, the office's code.
/// <see cref="EventKey"/> names the event it came from (the same event twice is one item per desk).
/// </summary>
public sealed record DeskItem
{
    public required Guid Id { get; init; }
    /// <summary>One of <see cref="NotificationKinds"/>.</summary>
    public required string Kind { get; init; }
    /// <summary>The source event's identity, e.g. "{referralId}:{sequence}" or "{referralId}:overdue:{kind}:{level}".</summary>
    public required string EventKey { get; init; }
    public required Guid CaseId { get; init; }
    public Guid? ReferralId { get; init; }
    /// <summary>The case's county (GB/T 2260).</summary>
    public required string CountyCode { get; init; }
    public required string RecipientKind { get; init; }
    public required string RecipientCounty { get; init; }
    public string? RecipientOffice { get; init; }
    /// <summary>The case number people read aloud (e.g. 140802-20261130-0007); null while the case's copy has not arrived.</summary>
    public string? CaseNumber { get; init; }
    public required string Title { get; init; }
    public required string Message { get; init; }
    /// <summary>Where in the portal the desk acts on it, as a path (e.g. /referrals/{id}); channels make it absolute.</summary>
    public required string Link { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string? TraceId { get; init; }
    /// <summary>
    /// For referral_overdue: acceptance or care_days; for police_request_overdue the request's kind; for notice_overdue
    /// "notice" — and the escalation level.
    /// </summary>
    public string? DeadlineKind { get; init; }
    public int? Level { get; init; }
}

/// <summary>The kinds of event a desk is told of, and that offices subscribe their channels to.</summary>
public static class NotificationKinds
{
    public const string ReferralRequested = "referral_requested";
    public const string ReferralRejected = "referral_rejected";
    public const string ReferralOverdue = "referral_overdue";
    public const string ReferralCompleted = "referral_completed";
    /// <summary>A new case of a minor or an emergency: the county office is told at once.</summary>
    public const string UrgentCase = "urgent_case";
    /// <summary>寻亲公告待拟: a notice was drafted for a person whose identity is not established; its 24-hour clock runs.</summary>
    public const string NoticeDrafted = "notice_drafted";
    /// <summary>A notice not published within 24 hours of arrival.</summary>
    public const string NoticeOverdue = "notice_overdue";
    /// <summary>A request of the police (identity check, DNA sample, trafficking report) not answered by its deadline.</summary>
    public const string PoliceRequestOverdue = "police_request_overdue";

    public static readonly string[] All =
        [ReferralRequested, ReferralRejected, ReferralOverdue, ReferralCompleted, UrgentCase, NoticeDrafted, NoticeOverdue, PoliceRequestOverdue];
}
