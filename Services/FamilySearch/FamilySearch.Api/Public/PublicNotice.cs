namespace Relief.FamilySearch.Public;

/// <summary>
/// 寻亲公告 as the public sees it: the national items a family needs to recognise someone and to reach the station, and
/// nothing else — no case id or number, no referral, no county of registration, no staff, no history. Built field by
/// field from an explicit query (never by serialising a row), so a column added to notices cannot leak here.
/// </summary>
public sealed record PublicNotice(
    Guid Id,
    string? Name,
    string Sex,
    int? AgeLow,
    int? AgeHigh,
    int? HeightCm,
    string? Build,
    string? Ethnicity,
    string? Accent,
    string? Health,
    string? MentalState,
    string? Features,
    string? Clothing,
    DateOnly? FoundOn,
    string? FoundPlace,
    string? FoundCounty,
    string? Contact,
    DateTimeOffset PublishedAt,
    bool HasPhoto);

/// <summary>A page of published notices, newest first; <see cref="Next"/> is the <c>after</c> of the next page (null on the last).</summary>
public sealed record PublicNoticePage(IReadOnlyList<PublicNotice> Items, string? Next);
