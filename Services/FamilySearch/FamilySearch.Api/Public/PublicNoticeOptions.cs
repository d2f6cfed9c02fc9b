namespace Relief.FamilySearch.Public;

/// <summary>The public notices' limits (configuration section "PublicNotices").</summary>
public sealed class PublicNoticeOptions
{
    public const string SectionName = "PublicNotices";

    /// <summary>
    /// Requests a client address may make per minute: a family paging through notices and their photos stays far below
    /// it; a scraper copying every face does not. Behind a reverse proxy, forwarded headers must give the real address.
    /// </summary>
    public int PermitsPerMinute { get; set; } = 120;

    public int DefaultPageSize { get; set; } = 20;

    public int MaxPageSize { get; set; } = 50;
}
