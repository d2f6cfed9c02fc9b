using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Relief.Registry.Contracts;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Http;

namespace Relief.Registry.ServicePoints;

/// <summary>
/// The register of the network's service points: everyone who works a case reads it (the hotline finds the nearest
/// open point); county officers keep their county's points, the city administrator all of them.
/// </summary>
public static class ServicePointEndpoints
{
    public static readonly string[] Readers =
        [ReliefRoles.PointStaff, ReliefRoles.HotlineOperator, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    public static readonly string[] Editors = [ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    private const string Columns = """
        code, name, kind, county_code, address, longitude, latitude, opening_hours::text as opening_hours_json, phone, services,
        status, sign_installed_on, staff_trained_count, staff_trained_on, receiving_station_code, is_demo, version, created_at, updated_at
        """;

    public static IEndpointRouteBuilder MapServicePointEndpoints(this IEndpointRouteBuilder app)
    {
        var points = app.MapGroup("/api/service-points").WithTags("Service points");
        points.MapGet("/", ListAsync).RequireAuthorization(policy => policy.RequireRole(Readers));
        points.MapGet("/nearest", NearestAsync).RequireAuthorization(policy => policy.RequireRole(Readers));
        points.MapGet("/coverage", CoverageAsync).RequireAuthorization(policy => policy.RequireRole(Editors));
        points.MapGet("/{code}", GetAsync).RequireAuthorization(policy => policy.RequireRole(Readers));
        points.MapPost("/", CreateAsync).Validate<CreateServicePointRequest>().RequireAuthorization(policy => policy.RequireRole(Editors));
        points.MapPut("/{code}", UpdateAsync).Validate<UpdateServicePointRequest>().RequireAuthorization(policy => policy.RequireRole(Editors));
        points.MapPost("/{code}/status", ChangeStatusAsync).Validate<ChangeStatusRequest>().RequireAuthorization(policy => policy.RequireRole(Editors));
        return app;
    }

    private static async Task<Ok<List<ServicePointView>>> ListAsync(
        NpgsqlDataSource db, CancellationToken cancellationToken, string? county = null, string? kind = null, string? status = null)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<PointRow>(new CommandDefinition($"""
            select {Columns} from service_points
            where (@county is null or county_code = @county) and (@kind is null or kind = @kind) and (@status is null or status = @status)
            order by code
            """, new { county, kind, status }, cancellationToken: cancellationToken));
        return TypedResults.Ok(rows.Select(row => row.View()).ToList());
    }

    private static async Task<Results<Ok<ServicePointDetail>, NotFound>> GetAsync(string code, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<PointRow>(new CommandDefinition(
            $"select {Columns} from service_points where code = @code", new { code }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return TypedResults.NotFound();
        }

        var history = await connection.QueryAsync<HistoryRow>(new CommandDefinition(
            "select status, changed_at, changed_by, note from service_point_status_history where code = @code order by id",
            new { code }, cancellationToken: cancellationToken));
        return TypedResults.Ok(new ServicePointDetail(row.View(),
            [.. history.Select(h => new StatusChange(h.Status, new DateTimeOffset(h.ChangedAt, TimeSpan.Zero), h.ChangedBy, h.Note))]));
    }

    private static async Task<Results<Created<ServicePointView>, ForbidHttpResult, Conflict<ProblemDetails>>> CreateAsync(
        CreateServicePointRequest request, HttpContext http, UnitOfWorkFactory units, NpgsqlDataSource db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        if (!MayEdit(user, request.CountyCode))
        {
            return TypedResults.Forbid();
        }

        var now = clock.GetUtcNow();
        var unit = units.Begin();
        unit.Write("""
            insert into service_points (code, name, kind, county_code, address, longitude, latitude, opening_hours, phone, services,
                                        status, receiving_station_code, is_demo, created_at, updated_at)
            values (@Code, @Name, @Kind, @CountyCode, @Address, @Longitude, @Latitude, @OpeningHours::jsonb, @Phone, @Services,
                    'planned', @ReceivingStationCode, @IsDemo, @Now, @Now)
            """, new
        {
            request.Code, Name = request.Name.Trim(), request.Kind, request.CountyCode, Address = request.Address.Trim(),
            request.Longitude, request.Latitude, OpeningHours = request.OpeningHours.GetRawText(), request.Phone,
            Services = request.Services ?? [], request.ReceivingStationCode, request.IsDemo, Now = now,
        });
        RecordStatus(unit, request.Code, PointStatuses.Planned, now, user, "created");
        unit.Publish(new ServicePointChanged
        {
            Code = request.Code, Name = request.Name.Trim(), Kind = request.Kind, CountyCode = request.CountyCode,
            Status = PointStatuses.Planned, ReceivingStationCode = request.ReceivingStationCode, Version = 1, ChangedAt = now,
        });
        try
        {
            await unit.CommitAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return TypedResults.Conflict(new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict, Title = "A service point with this code exists.",
                Extensions = { ["errors"] = new Dictionary<string, string[]> { ["code"] = [$"Service point '{request.Code}' exists."] } },
            });
        }

        var created = await CurrentAsync(request.Code, db, cancellationToken);
        return TypedResults.Created($"/api/service-points/{request.Code}", created!.View());
    }

    private static async Task<Results<Ok<ServicePointView>, NotFound, ForbidHttpResult, Conflict<ProblemDetails>>> UpdateAsync(
        string code, UpdateServicePointRequest request, HttpContext http, UnitOfWorkFactory units, NpgsqlDataSource db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        var current = await CurrentAsync(code, db, cancellationToken);
        if (current is null || !MayEdit(user, current.CountyCode))
        {
            return TypedResults.NotFound();
        }

        if (!MayEdit(user, request.CountyCode))
        {
            return TypedResults.Forbid(); // a county officer cannot move a point out of their county
        }

        var now = clock.GetUtcNow();
        var unit = units.Begin();
        unit.WriteOne("""
            update service_points set name = @Name, kind = @Kind, county_code = @CountyCode, address = @Address,
                longitude = @Longitude, latitude = @Latitude, opening_hours = @OpeningHours::jsonb, phone = @Phone, services = @Services,
                receiving_station_code = @ReceivingStationCode, staff_trained_count = @StaffTrainedCount, staff_trained_on = @StaffTrainedOn,
                version = version + 1, updated_at = @Now
            where code = @Code and version = @Version
            """, new
        {
            Code = code, Name = request.Name.Trim(), request.Kind, request.CountyCode, Address = request.Address.Trim(),
            request.Longitude, request.Latitude, OpeningHours = request.OpeningHours.GetRawText(), request.Phone,
            Services = request.Services ?? [], request.ReceivingStationCode, request.StaffTrainedCount, request.StaffTrainedOn,
            request.Version, Now = now,
        });
        unit.Publish(new ServicePointChanged
        {
            Code = code, Name = request.Name.Trim(), Kind = request.Kind, CountyCode = request.CountyCode, Status = current.Status,
            ReceivingStationCode = request.ReceivingStationCode, Version = request.Version + 1, ChangedAt = now,
        });
        return await CommitAndReadAsync(unit, code, db, cancellationToken);
    }

    private static async Task<Results<Ok<ServicePointView>, NotFound, ForbidHttpResult, Conflict<ProblemDetails>, ValidationProblem>> ChangeStatusAsync(
        string code, ChangeStatusRequest request, HttpContext http, UnitOfWorkFactory units, NpgsqlDataSource db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        var current = await CurrentAsync(code, db, cancellationToken);
        if (current is null || !MayEdit(user, current.CountyCode))
        {
            return TypedResults.NotFound();
        }

        if (!PointStatuses.CanMove(current.Status, request.Status))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["status"] = [$"A {current.Status} point cannot become {request.Status}."],
            });
        }

        if (request.Status == PointStatuses.Embedded && current.Status == PointStatuses.Planned
            && (request.SignInstalledOn is null || request.StaffTrainedCount is null or 0 || request.StaffTrainedOn is null))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["signInstalledOn"] = ["An embedded point has its sign and reminder board up: give the date."],
                ["staffTrainedCount"] = ["And its staff trained: how many, and when (staffTrainedOn)."],
            });
        }

        var now = clock.GetUtcNow();
        var unit = units.Begin();
        unit.WriteOne("""
            update service_points set status = @Status,
                sign_installed_on = coalesce(@SignInstalledOn, sign_installed_on),
                staff_trained_count = coalesce(@StaffTrainedCount, staff_trained_count),
                staff_trained_on = coalesce(@StaffTrainedOn, staff_trained_on),
                version = version + 1, updated_at = @Now
            where code = @Code and version = @Version
            """, new { Code = code, request.Status, request.SignInstalledOn, request.StaffTrainedCount, request.StaffTrainedOn, request.Version, Now = now });
        RecordStatus(unit, code, request.Status, now, user, request.Note);
        unit.Publish(new ServicePointChanged
        {
            Code = code, Name = current.Name, Kind = current.Kind, CountyCode = current.CountyCode, Status = request.Status,
            ReceivingStationCode = current.ReceivingStationCode, Version = request.Version + 1, ChangedAt = now,
        });
        return (await CommitAndReadAsync(unit, code, db, cancellationToken)).Result switch
        {
            Ok<ServicePointView> changed => changed,
            Conflict<ProblemDetails> stale => stale,
            _ => TypedResults.NotFound(),
        };
    }

    /// <summary>
    /// The nearest points open at <paramref name="at"/> (now when not given) that offer <paramref name="service"/>, with
    /// their distance. Candidates come from the position index in order of distance, a batch at a time, and are kept
    /// when their opening hours say open — the index is never bypassed for a scan.
    /// </summary>
    private static async Task<Results<Ok<List<NearbyPoint>>, ValidationProblem>> NearestAsync(
        double? lon, double? lat, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken,
        DateTimeOffset? at = null, string? service = null, int limit = 5)
    {
        var errors = new Dictionary<string, string[]>();
        if (lon is not (>= PointRules.MinLongitude and <= PointRules.MaxLongitude))
        {
            errors["lon"] = [$"The longitude lies in Yuncheng: {PointRules.MinLongitude}–{PointRules.MaxLongitude}."];
        }

        if (lat is not (>= PointRules.MinLatitude and <= PointRules.MaxLatitude))
        {
            errors["lat"] = [$"The latitude lies in Yuncheng: {PointRules.MinLatitude}–{PointRules.MaxLatitude}."];
        }

        if (service is not null && !PointServices.All.Contains(service))
        {
            errors["service"] = [$"The service is one of: {string.Join(", ", PointServices.All)}."];
        }

        if (limit is < 1 or > 50)
        {
            errors["limit"] = ["Between 1 and 50 points."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return TypedResults.Ok(await ServicePointQueries.NearestOpenAsync(connection, lon!.Value, lat!.Value, at ?? clock.GetUtcNow(), service, limit, cancellationToken));
    }

    /// <summary>
    /// How far the network covers the city (哨点全覆盖): points by county × kind × status, the places still planned or
    /// suspended, and embedded points whose staff training is older than <paramref name="trainingOlderThanDays"/>.
    /// A county officer sees their county; the city administrator all.
    /// </summary>
    private static async Task<Ok<CoverageReport>> CoverageAsync(
        HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken, int trainingOlderThanDays = 365)
    {
        var user = ReliefUser.From(http.User);
        var county = user.Is(ReliefRoles.CityAdministrator) ? null : user.County;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return TypedResults.Ok(await ServicePointQueries.CoverageAsync(
            connection, county, clock.GetUtcNow().UtcDateTime.Date.AddDays(-trainingOlderThanDays), cancellationToken));
    }

    private static bool MayEdit(ReliefUser user, string county) =>
        (user.Is(ReliefRoles.CityAdministrator) && user.OfficeKind == OfficeKinds.CityBureau)
        || (user.Is(ReliefRoles.CountyOfficer) && user.OfficeKind == OfficeKinds.CountyOffice && user.County == county);

    private static void RecordStatus(UnitOfWork unit, string code, string status, DateTimeOffset at, ReliefUser user, string? note) =>
        unit.Write("""
            insert into service_point_status_history (code, status, changed_at, changed_by, note) values (@Code, @Status, @At, @By, @Note)
            """, new { Code = code, Status = status, At = at, By = user.Subject, Note = note });

    private static async Task<PointRow?> CurrentAsync(string code, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<PointRow>(new CommandDefinition(
            $"select {Columns} from service_points where code = @code", new { code }, cancellationToken: cancellationToken));
    }

    private static async Task<Results<Ok<ServicePointView>, NotFound, ForbidHttpResult, Conflict<ProblemDetails>>> CommitAndReadAsync(
        UnitOfWork unit, string code, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        try
        {
            await unit.CommitAsync(cancellationToken);
        }
        catch (StaleVersionException)
        {
            return TypedResults.Conflict(new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "The service point was changed by someone else.",
                Detail = "Read it again (its version changed) and make your change on the new version.",
                Extensions = { ["errors"] = new Dictionary<string, string[]> { ["version"] = ["Stale version: read the point again."] } },
            });
        }

        return TypedResults.Ok((await CurrentAsync(code, db, cancellationToken))!.View());
    }

    /// <summary>
    /// A row as Dapper reads it: settable properties, not a positional record — Dapper matches a constructor only by
    /// exact column types, and a nullable date or count would not match.
    /// </summary>
    private sealed class PointRow
    {
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public string Kind { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public string Address { get; init; } = "";
        public double Longitude { get; init; }
        public double Latitude { get; init; }
        public string OpeningHoursJson { get; init; } = "{}";
        public string? Phone { get; init; }
        public string[] Services { get; init; } = [];
        public string Status { get; init; } = "";
        public DateTime? SignInstalledOn { get; init; }
        public int? StaffTrainedCount { get; init; }
        public DateTime? StaffTrainedOn { get; init; }
        public string? ReceivingStationCode { get; init; }
        public bool IsDemo { get; init; }
        public int Version { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }

        public ServicePointView View() => new(Code, Name, Kind, CountyCode.Trim(), Address, Longitude, Latitude,
            JsonDocument.Parse(OpeningHoursJson).RootElement.Clone(), Phone, Services, Status, DateOf(SignInstalledOn), StaffTrainedCount,
            DateOf(StaffTrainedOn), ReceivingStationCode, IsDemo, Version, new DateTimeOffset(CreatedAt, TimeSpan.Zero), new DateTimeOffset(UpdatedAt, TimeSpan.Zero));
    }

    private sealed class HistoryRow
    {
        public string Status { get; init; } = "";
        public DateTime ChangedAt { get; init; }
        public string ChangedBy { get; init; } = "";
        public string? Note { get; init; }
    }


    internal static DateOnly? DateOf(DateTime? date) => date is { } value ? DateOnly.FromDateTime(value) : null;

}

public sealed record CoverageCount(string CountyCode, string Kind, string Status, int Points);

public sealed record CoveragePoint(string Code, string Name, string CountyCode, string Kind, string Status, DateOnly? StaffTrainedOn);

public sealed record CoverageReport(IReadOnlyList<CoverageCount> Counts, IReadOnlyList<CoveragePoint> Gaps, IReadOnlyList<CoveragePoint> TrainingOverdue);
