using System.Globalization;
using Dapper;
using Npgsql;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Reporting.Statistics;

/// <summary>A case behind a number; <see cref="RegisteredAt"/> in UTC (timestamptz as Npgsql reads it).</summary>
public sealed record StatisticsCase(Guid CaseId, string? CaseNumber, string? CountyCode, string? ServicePointCode, DateTime? RegisteredAt);

public sealed record StatisticsCasePage(IReadOnlyList<StatisticsCase> Items, Guid? Next);

/// <summary>
/// The cases behind a number of the summary: the same period, filters and scope, and one dimension's value (the bar or
/// slice that was clicked). Ids and numbers only: the portal links them into its own case pages.
/// </summary>
public static class CasesQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>Each dimension the summary breaks cases down by, and the condition its value selects.</summary>
    public static readonly IReadOnlyDictionary<string, string> Dimensions = new Dictionary<string, string>
    {
        ["county"] = "c.county_code = @Value",
        ["point"] = "c.service_point_code = @Value",
        ["pointKind"] = "coalesce(c.point_kind, 'unknown') = @Value",
        ["channel"] = "coalesce(c.channel, 'unknown') = @Value",
        ["situation"] = "c.situations @> array[@Value]::text[]",
        ["identity"] = "coalesce(c.identity_status, 'unconfirmed') = @Value",
        ["outcome"] = "coalesce(c.outcome, case when c.closed_at is null then 'open' else 'closed' end) = @Value",
        ["month"] = "c.month = to_date(@Value, 'YYYY-MM')",
        ["decision"] = "c.decision = @Value",
        ["referred"] = "exists (select 1 from report_referrals r where r.case_id = c.case_id) = (@Value = 'true')",
    };

    public static void Validate(string? dimension, string? value, int? limit, Dictionary<string, string[]> errors)
    {
        if (dimension is not null && !Dimensions.ContainsKey(dimension))
        {
            errors["dimension"] = [$"维度为 {string.Join("、", Dimensions.Keys)} 之一 / the dimension is one of {string.Join(", ", Dimensions.Keys)}"];
        }

        if (dimension is not null && string.IsNullOrWhiteSpace(value))
        {
            errors["value"] = ["按维度筛选时须给出取值 / a dimension needs a value"];
        }
        else if (value is { Length: > 64 })
        {
            errors["value"] = ["取值最长 64 个字符 / the value is at most 64 characters"];
        }
        else if (dimension == "month" && !DateOnly.TryParseExact(value + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            errors["value"] = ["月份格式为 yyyy-MM / the month is yyyy-MM"];
        }
        else if (dimension == "referred" && value is not ("true" or "false"))
        {
            errors["value"] = ["取值为 true 或 false / the value is true or false"];
        }

        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"每页 1 到 {MaxLimit} 条 / between 1 and {MaxLimit} per page"];
        }
    }

    /// <summary>
    /// Keyset pages in registration order (then case id): <c>after</c> is the <c>next</c> of the page before, a case id
    /// whose registration time the query looks up. That order follows the (county, registered_at, case_id) and
    /// (registered_at, case_id) indexes, so a page reads its own rows only — in case-id order one county's month walked
    /// the whole primary key past the other counties' cases.
    /// </summary>
    public static async Task<StatisticsCasePage> RunAsync(NpgsqlDataSource db, StatisticsFilter filter, ReliefUser user,
        string? dimension, string? value, Guid? after, int? limit, CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultLimit;
        var condition = dimension is null ? "true" : Dimensions[dimension];
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var items = (await connection.QueryAsync<StatisticsCase>(new CommandDefinition($"""
            select c.case_id, c.case_number, c.county_code, c.service_point_code, c.registered_at
            from report_cases c
            where {StatisticsFilter.CasesWhere} and {condition}
              and (@After::uuid is null
                   or (c.registered_at, c.case_id) > (select a.registered_at, a.case_id from report_cases a where a.case_id = @After))
            order by c.registered_at, c.case_id
            limit @Limit
            """, filter.Parameters(user, new { Value = value, After = after, Limit = take }), cancellationToken: cancellationToken))).AsList();
        return new StatisticsCasePage(items, items.Count == take ? items[^1].CaseId : null);
    }
}
