using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Reporting.Statistics;

/// <summary>
/// 统计: the summary, the cases behind a number, the monthly report as Excel and CSV, and the city's dashboard — all read
/// from the read model, each scoped as everything else is (a county officer their county, point staff their point, the
/// city everything; a filter outside one's scope finds nothing).
/// </summary>
public static class StatisticsEndpoints
{
    public static readonly string[] Readers = [ReliefRoles.PointStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    /// <summary>Open referrals and coverage are the county offices' and the city's to watch.</summary>
    public static readonly string[] DashboardReaders = [ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    public const string ExcelType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static IEndpointRouteBuilder MapStatisticsEndpoints(this IEndpointRouteBuilder app)
    {
        var statistics = app.MapGroup("/api/statistics").WithTags("Statistics");
        statistics.MapGet("/summary", SummaryAsync).RequireAuthorization(policy => policy.RequireRole(Readers));
        statistics.MapGet("/cases", CasesAsync).RequireAuthorization(policy => policy.RequireRole(Readers));
        statistics.MapGet("/monthly.xlsx", ExcelAsync).RequireAuthorization(policy => policy.RequireRole(Readers));
        statistics.MapGet("/monthly.csv", CsvAsync).RequireAuthorization(policy => policy.RequireRole(Readers));
        statistics.MapGet("/today", TodayAsync).RequireAuthorization(policy => policy.RequireRole(DashboardReaders));
        return app;
    }

    public static async Task<Results<Ok<StatisticsSummary>, ValidationProblem>> SummaryAsync(
        string? from, string? to, string? county, string? pointKind, string? point,
        HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = StatisticsFilter.Read(from, to, county, pointKind, point, clock, errors);
        if (filter is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(await SummaryQuery.RunAsync(db, filter, ReliefUser.From(http.User), cancellationToken));
    }

    public static async Task<Results<Ok<StatisticsCasePage>, ValidationProblem>> CasesAsync(
        string? from, string? to, string? county, string? pointKind, string? point, string? dimension, string? value,
        string? after, int? limit, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = StatisticsFilter.Read(from, to, county, pointKind, point, clock, errors);
        CasesQuery.Validate(dimension, value, limit, errors);
        Guid? afterId = null;
        if (after is not null)
        {
            if (Guid.TryParse(after, out var parsed))
            {
                afterId = parsed;
            }
            else
            {
                errors["after"] = ["after 为上一页的 next / after is the next of the page before"];
            }
        }

        if (filter is null || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(await CasesQuery.RunAsync(db, filter, ReliefUser.From(http.User), dimension, value, afterId, limit, cancellationToken));
    }

    public static Task<Results<FileContentHttpResult, ValidationProblem>> ExcelAsync(
        string? month, string? county, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken) =>
        ExportAsync(month, county, http, db, clock, MonthlyReport.Excel, ExcelType, "xlsx", cancellationToken);

    public static Task<Results<FileContentHttpResult, ValidationProblem>> CsvAsync(
        string? month, string? county, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken) =>
        ExportAsync(month, county, http, db, clock, MonthlyReport.Csv, "text/csv; charset=utf-8", "csv", cancellationToken);

    private static async Task<Results<FileContentHttpResult, ValidationProblem>> ExportAsync(
        string? month, string? county, HttpContext http, NpgsqlDataSource db, TimeProvider clock,
        Func<StatisticsSummary, StatisticsFilter, ReliefUser, DateTimeOffset, byte[]> write, string contentType, string extension,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = StatisticsFilter.ReadMonth(month, county, clock, errors);
        if (filter is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var user = ReliefUser.From(http.User);
        var summary = await SummaryQuery.RunAsync(db, filter, user, cancellationToken);
        var name = $"救助统计月报-{filter.From:yyyy-MM}{(filter.County is null ? "" : "-" + filter.County)}.{extension}";
        return TypedResults.File(write(summary, filter, user, clock.GetUtcNow()), contentType, name);
    }

    public static async Task<Ok<TodayView>> TodayAsync(HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken) =>
        TypedResults.Ok(await TodayQuery.RunAsync(db, ReliefUser.From(http.User), clock, cancellationToken));
}
