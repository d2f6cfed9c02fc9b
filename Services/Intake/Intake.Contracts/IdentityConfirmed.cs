namespace Relief.Intake.Contracts;

/// <summary>
/// 身份确认: how a case's identity was established — or that it could not be, which sends the person towards family
/// search. The method only: never the number or the name.
/// </summary>
public sealed record IdentityConfirmed
{
    public required Guid CaseId { get; init; }
    public required string CountyCode { get; init; }
    /// <summary>id_card_checked, police_check, relatives_confirmed (the family recognised them), self_declared or not_established.</summary>
    public required string Method { get; init; }
    public required DateTimeOffset ConfirmedAt { get; init; }
}
