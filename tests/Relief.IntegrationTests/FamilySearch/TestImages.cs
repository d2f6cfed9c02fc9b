using System.Buffers.Binary;
using SkiaSharp;

namespace Relief.IntegrationTests.FamilySearch;

/// <summary>Images made in the test: a JPEG carrying an EXIF block with a GPS position, a PNG with transparency.</summary>
internal static class TestImages
{
    /// <summary>64 × 32 as stored, left half red and right half blue.</summary>
    public static byte[] RedBlueJpeg()
    {
        using var bitmap = new SKBitmap(64, 32);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Blue);
            using var red = new SKPaint { Color = SKColors.Red };
            canvas.DrawRect(new SKRect(0, 0, 32, 32), red);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 95);
        return data.ToArray();
    }

    public static byte[] TransparentPng()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(40, 30, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Transparent);
            using var green = new SKPaint { Color = SKColors.Green };
            canvas.DrawCircle(20, 15, 10, green);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>
    /// The JPEG with an APP1 Exif segment written byte by byte after its SOI: IFD0 with Orientation = 6 (turn 90°
    /// clockwise to view) and a GPS IFD (latitude N 35° 1′ 0″) — what a phone writes.
    /// </summary>
    public static byte[] WithExifGps(byte[] jpeg)
    {
        var tiff = new byte[92];
        var span = tiff.AsSpan();
        "MM"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], 42);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], 8);
        // IFD0 at 8: two entries.
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], 2);
        Entry(span[10..], tag: 0x0112, type: 3, count: 1, value: 6u << 16); // Orientation, SHORT, left-justified
        Entry(span[22..], tag: 0x8825, type: 4, count: 1, value: 38); // GPSInfo IFD pointer
        BinaryPrimitives.WriteUInt32BigEndian(span[34..], 0);
        // GPS IFD at 38: two entries.
        BinaryPrimitives.WriteUInt16BigEndian(span[38..], 2);
        Entry(span[40..], tag: 0x0001, type: 2, count: 2, value: ((uint)'N') << 24); // GPSLatitudeRef "N\0"
        Entry(span[52..], tag: 0x0002, type: 5, count: 3, value: 68); // GPSLatitude, 3 RATIONALs at 68
        BinaryPrimitives.WriteUInt32BigEndian(span[64..], 0);
        uint[] rationals = [35, 1, 1, 1, 0, 1];
        for (var i = 0; i < rationals.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span[(68 + (i * 4))..], rationals[i]);
        }

        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    private static void Entry(Span<byte> at, ushort tag, ushort type, uint count, uint value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(at, tag);
        BinaryPrimitives.WriteUInt16BigEndian(at[2..], type);
        BinaryPrimitives.WriteUInt32BigEndian(at[4..], count);
        BinaryPrimitives.WriteUInt32BigEndian(at[8..], value);
    }

    /// <summary>The markers of a JPEG's segments before its image data (APP0 = 0xE0, APP1 = 0xE1, …).</summary>
    public static List<byte> SegmentMarkers(byte[] jpeg)
    {
        var markers = new List<byte>();
        var at = 2;
        while (at + 4 <= jpeg.Length && jpeg[at] == 0xFF && jpeg[at + 1] != 0xDA)
        {
            markers.Add(jpeg[at + 1]);
            at += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(at + 2));
        }

        return markers;
    }

    /// <summary>PNG's chunk checksum (ISO 3309 CRC-32), so an edited header is still a well-formed chunk.</summary>
    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
