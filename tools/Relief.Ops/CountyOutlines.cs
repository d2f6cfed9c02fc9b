using System.Text.Json;

namespace Relief.Ops;

/// <summary>
/// Yuncheng's county outlines from the ECharts map registration (data/yuncheng-counties.echarts.js): decoded from
/// ECharts' compressed coordinates (zig-zag, delta, 1/1024 degree) into polygons of (longitude, latitude).
/// </summary>
public sealed class CountyOutlines
{
    private const double Scale = 1024;
    private readonly Dictionary<string, List<(double Lon, double Lat)[]>> rings;

    private CountyOutlines(Dictionary<string, List<(double, double)[]>> rings, Dictionary<string, string> names)
    {
        this.rings = rings;
        Names = names;
    }

    public IReadOnlyCollection<string> Counties => rings.Keys;

    /// <summary>Each county's Chinese name, by its GB/T 2260 code (the features' own names).</summary>
    public IReadOnlyDictionary<string, string> Names { get; }

    public static CountyOutlines Load()
    {
        using var stream = typeof(CountyOutlines).Assembly.GetManifestResourceStream("yuncheng-counties.echarts.js")
            ?? throw new InvalidOperationException("The county outlines are not embedded.");
        var script = new StreamReader(stream).ReadToEnd();
        const string registration = "echarts.registerMap('运城', ";
        var start = script.IndexOf(registration, StringComparison.Ordinal) + registration.Length;
        // The registration's JSON is followed by the script's closing brackets: read one JSON value and stop.
        var json = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(script[start..]));
        using var reader = JsonDocument.ParseValue(ref json);
        var result = new Dictionary<string, List<(double, double)[]>>();
        var names = new Dictionary<string, string>();
        foreach (var feature in reader.RootElement.GetProperty("features").EnumerateArray())
        {
            var geometry = feature.GetProperty("geometry");
            var offsets = geometry.GetProperty("encodeOffsets");
            var coordinates = geometry.GetProperty("coordinates");
            var polygons = geometry.GetProperty("type").GetString() == "MultiPolygon"
                ? coordinates.EnumerateArray().Zip(offsets.EnumerateArray()).ToList()
                : [(coordinates, offsets)];
            var list = new List<(double, double)[]>();
            foreach (var (polygon, polygonOffsets) in polygons)
            {
                // The first ring of each polygon is its outline; the others are holes (none in this file).
                list.Add(Decode(polygon[0].GetString()!, polygonOffsets[0][0].GetInt32(), polygonOffsets[0][1].GetInt32()));
            }

            var code = feature.GetProperty("id").GetString()!;
            result[code] = list;
            names[code] = feature.GetProperty("properties").GetProperty("name").GetString()!;
        }

        return result.Count == 0 ? throw new InvalidOperationException("No county outline was read.") : new CountyOutlines(result, names);
    }

    /// <summary>True when the position lies inside the county's outline (even-odd rule).</summary>
    public bool Contains(string county, double lon, double lat) =>
        rings.TryGetValue(county, out var polygons) && polygons.Any(ring => Inside(ring, lon, lat));

    /// <summary>A random position inside the county: drawn in its bounding box until one falls inside.</summary>
    public (double Lon, double Lat) RandomPointIn(string county, Random random)
    {
        var points = rings[county].SelectMany(ring => ring).ToList();
        var (minLon, maxLon) = (points.Min(p => p.Lon), points.Max(p => p.Lon));
        var (minLat, maxLat) = (points.Min(p => p.Lat), points.Max(p => p.Lat));
        while (true)
        {
            var lon = minLon + random.NextDouble() * (maxLon - minLon);
            var lat = minLat + random.NextDouble() * (maxLat - minLat);
            if (Contains(county, lon, lat))
            {
                return (Math.Round(lon, 6), Math.Round(lat, 6));
            }
        }
    }

    private static (double, double)[] Decode(string encoded, int prevX, int prevY)
    {
        var ring = new (double, double)[encoded.Length / 2];
        for (var i = 0; i + 1 < encoded.Length; i += 2)
        {
            var x = encoded[i] - 64;
            var y = encoded[i + 1] - 64;
            x = (x >> 1) ^ -(x & 1);
            y = (y >> 1) ^ -(y & 1);
            prevX += x;
            prevY += y;
            ring[i / 2] = (prevX / Scale, prevY / Scale);
        }

        return ring;
    }

    private static bool Inside((double Lon, double Lat)[] ring, double lon, double lat)
    {
        var inside = false;
        for (int i = 0, j = ring.Length - 1; i < ring.Length; j = i++)
        {
            if ((ring[i].Lat > lat) != (ring[j].Lat > lat)
                && lon < (ring[j].Lon - ring[i].Lon) * (lat - ring[i].Lat) / (ring[j].Lat - ring[i].Lat) + ring[i].Lon)
            {
                inside = !inside;
            }
        }

        return inside;
    }
}
