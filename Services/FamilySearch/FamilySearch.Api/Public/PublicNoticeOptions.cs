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

    /// <summary>
    /// The header carrying the client's address when the public reaches the service only through the portal or a
    /// reverse proxy (e.g. "X-Forwarded-For": its first address is the client's). Unset, the connection's address is the
    /// client's. Set it only where nobody can reach the service but through that proxy: a client could name any address.
    /// </summary>
    public string? ClientAddressHeader { get; set; }

    public int DefaultPageSize { get; set; } = 20;

    public int MaxPageSize { get; set; } = 50;
}
