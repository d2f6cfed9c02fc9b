using Dapper;
using Npgsql;
using Relief.Registry.Contracts;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Registry.History;

/// <summary>
/// The <c>service-points</c> stream of the sources' history, for Reporting's rebuild: each point's current state as the
/// <see cref="ServicePointChanged"/> of its latest version (the whole state, so the latest wins; earlier versions are not
/// kept), in the order of their last change. A point changed while the stream is read moves after the position and is
/// read again with its new version.
/// </summary>
public static class ServicePointEventHistory
{
    public static IEndpointRouteBuilder MapServicePointEventHistory(this IEndpointRouteBuilder app)
    {
        app.MapEventHistory().MapStream("service-points", ReadAsync);
        return app;
    }

    private const string SelectPoints = """
        select updated_at as at, 0 as rank, code collate "C" as key, code, name, kind, county_code, status, receiving_station_code, version
        from service_points
        where (updated_at, 0, code collate "C") > (@At, @Rank, @Key)
        order by updated_at, code collate "C"
        limit @Limit
        """;

    public static async Task<IReadOnlyList<HistoryEvent>> ReadAsync(
        NpgsqlConnection connection, HistoryPosition after, int limit, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<PointRow>(new CommandDefinition(
            SelectPoints, new { after.At, after.Rank, after.Key, Limit = limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => new HistoryEvent(new HistoryPosition(row.At, row.Rank, row.Key), new ServicePointChanged
        {
            Code = row.Code, Name = row.Name, Kind = row.Kind, CountyCode = row.CountyCode, Status = row.Status,
            ReceivingStationCode = row.ReceivingStationCode, Version = row.Version, ChangedAt = EventHistory.Utc(row.At),
        }))];
    }

    private sealed class PointRow
    {
        public DateTime At { get; init; }
        public int Rank { get; init; }
        public string Key { get; init; } = "";
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public string Kind { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public string Status { get; init; } = "";
        public string? ReceivingStationCode { get; init; }
        public int Version { get; init; }
    }
}
