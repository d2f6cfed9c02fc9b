using Microsoft.Extensions.Options;
using SkiaSharp;

namespace Relief.FamilySearch.Photos;

/// <summary>A photo ready to keep: a JPEG Relief encoded itself, with nothing of the uploaded file but its pixels.</summary>
public sealed record ProcessedPhoto(byte[] Jpeg, int Width, int Height);

/// <summary>Why an upload is refused, in words for the <c>file</c> field (zh-CN / en, as other services' field errors).</summary>
public sealed record PhotoRefusal(string Reason);

/// <summary>
/// Checks an uploaded photo by what it is, not what it is called, and makes the copy Relief keeps: decoded, turned
/// upright as the camera's EXIF orientation says (the only thing of the metadata used, before all of it is dropped),
/// scaled to fit <see cref="PhotoOptions.MaxLongSide"/>, and encoded anew as a JPEG — so no EXIF, GPS position, XMP,
/// camera serial or thumbnail of the original can reach a notice, a page or the national site.
/// </summary>
public sealed class PhotoProcessing(IOptions<PhotoOptions> options) : IDisposable
{
    private readonly PhotoOptions limits = options.Value;
    private readonly SemaphoreSlim decodings = new(Math.Max(1, options.Value.ConcurrentDecodings));

    public const string TooLarge = "照片过大 / the file is too large";
    public const string NotAnImage = "文件不是图片 / the file is not an image";
    public const string Unsupported = "图片格式不支持，请上传 JPEG、PNG 或 WebP / unsupported image type: upload a JPEG, PNG or WebP";

    public long MaxBytes => limits.MaxBytes;

    public void Dispose() => decodings.Dispose();

    /// <summary>The kinds accepted, by their first bytes.</summary>
    public enum ImageKind { None, Jpeg, Png, WebP, OtherImage }

    public static ImageKind Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return ImageKind.Jpeg;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return ImageKind.Png;
        }

        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return ImageKind.WebP;
        }

        // Images of kinds not taken (GIF, BMP, TIFF, HEIC/AVIF): told apart from "not an image", so staff know to convert.
        var otherImage = head.StartsWith("GIF8"u8) || head.StartsWith("BM"u8)
            || head.StartsWith((ReadOnlySpan<byte>)[0x49, 0x49, 0x2A, 0x00]) || head.StartsWith((ReadOnlySpan<byte>)[0x4D, 0x4D, 0x00, 0x2A])
            || (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8));
        return otherImage ? ImageKind.OtherImage : ImageKind.None;
    }

    public async Task<(ProcessedPhoto? Photo, PhotoRefusal? Refusal)> ProcessAsync(byte[] upload, CancellationToken cancellationToken)
    {
        if (upload.LongLength > limits.MaxBytes)
        {
            return (null, new PhotoRefusal($"{TooLarge}（≤ {limits.MaxBytes / (1024 * 1024)} MB）"));
        }

        switch (Sniff(upload.AsSpan(0, Math.Min(upload.Length, 16))))
        {
            case ImageKind.None:
                return (null, new PhotoRefusal(NotAnImage));
            case ImageKind.OtherImage:
                return (null, new PhotoRefusal(Unsupported));
        }

        await decodings.WaitAsync(cancellationToken);
        try
        {
            return Reencode(upload);
        }
        finally
        {
            decodings.Release();
        }
    }

    private (ProcessedPhoto?, PhotoRefusal?) Reencode(byte[] upload)
    {
        using var stream = new MemoryStream(upload, writable: false);
        using var codec = SKCodec.Create(stream, out _);
        if (codec is null)
        {
            return (null, new PhotoRefusal(NotAnImage));
        }

        var size = codec.Info;
        if (size.Width <= 0 || size.Height <= 0)
        {
            return (null, new PhotoRefusal(NotAnImage));
        }

        if ((long)size.Width * size.Height > limits.MaxPixels)
        {
            return (null, new PhotoRefusal($"{TooLarge}（≤ {limits.MaxPixels / 1_000_000} 百万像素 / megapixels）"));
        }

        // Decoded at the smallest size the codec offers that still fills the target (JPEG decodes at 1/2, 1/4, 1/8): a
        // 40-megapixel photo never needs its full 160 MB in memory.
        var scale = Math.Min(1f, (float)limits.MaxLongSide / Math.Max(size.Width, size.Height));
        var decodeSize = codec.GetScaledDimensions(scale);
        var srgb = SKColorSpace.CreateSrgb();
        var decodeInfo = new SKImageInfo(decodeSize.Width, decodeSize.Height, SKColorType.Rgba8888, SKAlphaType.Premul, srgb);
        using var decoded = new SKBitmap(decodeInfo);
        var result = codec.GetPixels(decodeInfo, decoded.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            return (null, new PhotoRefusal(NotAnImage));
        }

        var fit = Math.Min(1f, (float)limits.MaxLongSide / Math.Max(decodeSize.Width, decodeSize.Height));
        var width = Math.Max(1, (int)Math.Round(decodeSize.Width * fit));
        var height = Math.Max(1, (int)Math.Round(decodeSize.Height * fit));
        var origin = codec.EncodedOrigin;
        var swapsSides = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var (outWidth, outHeight) = swapsSides ? (height, width) : (width, height);

        using var surface = SKSurface.Create(new SKImageInfo(outWidth, outHeight, SKColorType.Rgba8888, SKAlphaType.Premul, srgb));
        var canvas = surface.Canvas;
        // JPEG has no transparency: a PNG's transparent parts become white, as on paper.
        canvas.Clear(SKColors.White);
        TurnUpright(canvas, origin, width, height);
        using var image = SKImage.FromBitmap(decoded);
        using var paint = new SKPaint();
        canvas.DrawImage(image, new SKRect(0, 0, width, height), new SKSamplingOptions(SKCubicResampler.Mitchell), paint);
        canvas.Flush();
        using var upright = surface.Snapshot();
        using var jpeg = upright.Encode(SKEncodedImageFormat.Jpeg, limits.JpegQuality);
        return (new ProcessedPhoto(jpeg.ToArray(), outWidth, outHeight), null);
    }

    /// <summary>
    /// The canvas transform that draws the stored pixels (<paramref name="width"/> × <paramref name="height"/>) the way the
    /// EXIF orientation says they are to be seen (TIFF 6.0 tag 274: 1 as stored, 3 turned 180°, 6 turned 90° clockwise,
    /// 8 counter-clockwise; 2, 4, 5, 7 the same mirrored).
    /// </summary>
    private static void TurnUpright(SKCanvas canvas, SKEncodedOrigin origin, int width, int height)
    {
        switch (origin)
        {
            case SKEncodedOrigin.TopRight:
                canvas.Translate(width, 0);
                canvas.Scale(-1, 1);
                break;
            case SKEncodedOrigin.BottomRight:
                canvas.Translate(width, height);
                canvas.RotateDegrees(180);
                break;
            case SKEncodedOrigin.BottomLeft:
                canvas.Translate(0, height);
                canvas.Scale(1, -1);
                break;
            case SKEncodedOrigin.LeftTop:
                canvas.RotateDegrees(90);
                canvas.Scale(1, -1);
                break;
            case SKEncodedOrigin.RightTop:
                canvas.Translate(height, 0);
                canvas.RotateDegrees(90);
                break;
            case SKEncodedOrigin.RightBottom:
                canvas.Translate(height, width);
                canvas.RotateDegrees(-90);
                canvas.Scale(1, -1);
                break;
            case SKEncodedOrigin.LeftBottom:
                canvas.Translate(0, width);
                canvas.RotateDegrees(-90);
                break;
        }
    }
}
