using System.Text.Json;
using Dapper;
using Npgsql;

namespace Relief.Registry.ServicePoints;

/// <summary>The register's two searches, shared by the endpoints and the benchmark (bench/, "service-points").</summary>
public static class ServicePointQueries
{
    /// <summary>
    /// The nearest points open at <paramref name="at"/> that offer <paramref name="service"/>, with their distance.
    /// Candidates come from the position index (GiST over <c>ll_to_earth</c>, KNN order) a batch at a time and are kept
    /// when their opening hours say open — never a scan of the whole network.
    /// </summary>
    public static async Task<List<NearbyPoint>> NearestOpenAsync(
        NpgsqlConnection connection, double lon, double lat, DateTimeOffset at, string? service, int limit, CancellationToken cancellationToken)
    {
        var found = new List<NearbyPoint>();
        for (int skip = 0, batch = Math.Max(limit * 4, 20); found.Count < limit; skip += batch, batch *= 4)
        {
            var candidates = (await connection.QueryAsync<NearbyRow>(new CommandDefinition("""
                select code, name, kind, county_code, address, longitude, latitude, phone, opening_hours::text as opening_hours_json,
                       earth_distance(ll_to_earth(latitude, longitude), ll_to_earth(@lat, @lon)) as distance_metres
                from service_points
                where status = 'embedded' and (@service is null or @service = any(services))
                order by ll_to_earth(latitude, longitude) <-> ll_to_earth(@lat, @lon)
                limit @batch offset @skip
                """, new { lat, lon, service, batch, skip }, cancellationToken: cancellationToken))).AsList();
            foreach (var candidate in candidates)
            {
                if (found.Count < limit && ScheduleOf(candidate.OpeningHoursJson) is { } hours && hours.IsOpenAt(at))
                {
                    found.Add(candidate.View());
                }
            }

            if (candidates.Count < batch)
            {
                break;
            }
        }

        return found;
    }

    /// <summary>
    /// Schedules read once per distinct text: most points share a few standard ones, and reading JSON for every
    /// candidate was most of a search's own CPU. Bounded: a network with more distinct schedules simply reads again.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, OpeningHours?> Schedules = new();

    private static OpeningHours? ScheduleOf(string json)
    {
        if (Schedules.TryGetValue(json, out var known))
        {
            return known;
        }

        var hours = OpeningHours.TryParse(JsonDocument.Parse(json).RootElement, out var parsed, out _) ? parsed : null;
        if (Schedules.Count < 10_000)
        {
            Schedules[json] = hours;
        }

        return hours;
    }

    /// <summary>Counts by county × kind × status, the planned and suspended places, and overdue training (one county, or all).</summary>
    public static async Task<CoverageReport> CoverageAsync(
        NpgsqlConnection connection, string? county, DateTime trainedBefore, CancellationToken cancellationToken)
    {
        var counts = await connection.QueryAsync<CoverageCount>(new CommandDefinition("""
            select trim(county_code) as county_code, kind, status, count(*)::int as points from service_points
            where @county is null or county_code = @county
            group by county_code, kind, status order by county_code, kind, status
            """, new { county }, cancellationToken: cancellationToken));
        var gaps = await connection.QueryAsync<CoverageRow>(new CommandDefinition("""
            select code, name, county_code, kind, status, staff_trained_on from service_points
            where status in ('planned', 'suspended') and (@county is null or county_code = @county) order by county_code, code
            """, new { county }, cancellationToken: cancellationToken));
        var stale = await connection.QueryAsync<CoverageRow>(new CommandDefinition("""
            select code, name, county_code, kind, status, staff_trained_on from service_points
            where status = 'embedded' and (staff_trained_on is null or staff_trained_on < @trainedBefore::date)
              and (@county is null or county_code = @county)
            order by county_code, code
            """, new { county, trainedBefore }, cancellationToken: cancellationToken));
        return new CoverageReport(counts.AsList(), [.. gaps.Select(g => g.View())], [.. stale.Select(g => g.View())]);
    }

    private sealed record NearbyRow(
        string Code, string Name, string Kind, string CountyCode, string Address, double Longitude, double Latitude, string? Phone,
        string OpeningHoursJson, double DistanceMetres)
    {
        public JsonElement Hours => JsonDocument.Parse(OpeningHoursJson).RootElement.Clone();

        public NearbyPoint View() => new(Code, Name, Kind, CountyCode.Trim(), Address, Longitude, Latitude, Phone, Hours, DistanceMetres);
    }

    private sealed class CoverageRow
    {
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTime? StaffTrainedOn { get; init; }

        public CoveragePoint View() => new(Code, Name, CountyCode.Trim(), Kind, Status, ServicePointEndpoints.DateOf(StaffTrainedOn));
    }
}
