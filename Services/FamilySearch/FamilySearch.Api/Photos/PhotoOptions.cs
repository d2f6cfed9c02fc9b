namespace Relief.FamilySearch.Photos;

/// <summary>The limits of an uploaded photo (configuration section "Photos").</summary>
public sealed class PhotoOptions
{
    public const string SectionName = "Photos";

    /// <summary>The largest file accepted: a phone's photo is 2–6 MB.</summary>
    public long MaxBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// The most pixels a photo may have: checked from its header before it is decoded, so a small file that claims to be
    /// huge (a decompression bomb) is refused without the memory it would take.
    /// </summary>
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>The long side of the stored photo: enough for a notice printed on A4, small enough to serve quickly.</summary>
    public int MaxLongSide { get; set; } = 1600;

    public int JpegQuality { get; set; } = 85;

    /// <summary>Decodings at once: each takes a core and up to ~160 MB while it runs.</summary>
    public int ConcurrentDecodings { get; set; } = 2;
}
