using System.Net.Http.Headers;
using System.Text.Json;

namespace Relief.Portal.Clients;

/// <summary>
/// Reporting's API (统计): the summary of a period in the user's scope (a county officer's county, a point's staff their
/// point, the city all), the cases behind one of its numbers, the city's view of today, and the monthly files.
/// </summary>
public sealed class ReportingClient(HttpClient http)
{
    public async Task<ApiResult<StatisticsSummary>> SummaryAsync(StatisticsFilter filter, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<StatisticsSummary>(() => http.GetAsync($"/api/statistics/summary{filter.Query()}", cancellationToken), cancellationToken);

    /// <summary>The cases behind a number: the summary's filter, one of its dimensions and the value counted there.</summary>
    public async Task<ApiResult<StatisticsCasePage>> CasesAsync(StatisticsFilter filter, string? dimension, string? value, string? after, int limit,
        CancellationToken cancellationToken)
    {
        var query = Query.Of([.. filter.Parameters(), ("dimension", dimension), ("value", value), ("after", after),
            ("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        return await ApiResult.CallAsync<StatisticsCasePage>(() => http.GetAsync($"/api/statistics/cases{query}", cancellationToken), cancellationToken);
    }

    /// <summary>The city's dashboard: open and overdue referrals, counties without an embedded point of some kind.</summary>
    public async Task<ApiResult<TodayView>> TodayAsync(CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<TodayView>(() => http.GetAsync("/api/statistics/today", cancellationToken), cancellationToken);

    /// <summary>
    /// The month's report as Reporting writes it (<paramref name="format"/> xlsx or csv), its answer left unread so the
    /// portal can stream the body to the browser; the caller disposes it.
    /// </summary>
    public async Task<HttpResponseMessage> MonthlyFileAsync(string format, string? month, string? county, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/statistics/monthly.{format}{Query.Of(("month", month), ("county", county))}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }
}

/// <summary>
/// The statistics page's filters as the services take them: a period (Beijing dates, both ends included), the county
/// (the city's choice; a county officer's is their own whatever is asked), the kind of point.
/// </summary>
public sealed record StatisticsFilter(string? From, string? To, string? County, string? PointKind)
{
    public (string Name, string? Value)[] Parameters() => [("from", From), ("to", To), ("county", County), ("pointKind", PointKind)];

    public QueryString Query() => Clients.Query.Of(Parameters());
}

/// <summary>The summary of a period (<c>GET /api/statistics/summary</c>).</summary>
public sealed record StatisticsSummary
{
    public StatisticsPeriodView? Period { get; init; }
    public JsonElement? Scope { get; init; }
    public StatisticsTotals Totals { get; init; } = new();
    public List<MonthCount> ByMonth { get; init; } = [];
    public List<CountyCount> ByCounty { get; init; } = [];
    public List<PointCount> ByPoint { get; init; } = [];
    public List<KindCount> ByPointKind { get; init; } = [];
    public List<ChannelCount> ByChannel { get; init; } = [];
    public List<SituationCount> BySituation { get; init; } = [];
    public List<IdentityCount> ByIdentity { get; init; } = [];
    public List<OutcomeCount> ByOutcome { get; init; } = [];
    public HandoffFigures Handoff { get; init; } = new();
    public ReliefFigures Relief { get; init; } = new();
    public List<CoverageRow> Coverage { get; init; } = [];
    public FamilySearchSummary FamilySearch { get; init; } = new();
}

public sealed record StatisticsTotals
{
    public long Cases { get; init; }
    /// <summary>Cases sent on to a relief station.</summary>
    public long Referred { get; init; }
    public long Referrals { get; init; }
    public long Accepted { get; init; }
    public long Rejected { get; init; }
    public long Overdue { get; init; }
    public long Completed { get; init; }
    public long ReliefActions { get; init; }
}

public sealed record MonthCount(string Month, long Cases);

public sealed record CountyCount(string County, string? Name, long Cases);

public sealed record PointCount(string Point, string? Kind, string? County, long Cases);

public sealed record KindCount(string Kind, long Cases);

public sealed record ChannelCount(string Channel, long Cases);

public sealed record SituationCount(string Situation, long Cases);

public sealed record IdentityCount(string Identity, long Cases);

public sealed record OutcomeCount(string Outcome, long Cases);

/// <summary>How the hand-offs to relief stations went: minutes to accept, the share overdue, refusals.</summary>
public sealed record HandoffFigures
{
    public double? AcceptP50Minutes { get; init; }
    public double? AcceptP90Minutes { get; init; }
    /// <summary>0 to 1.</summary>
    public double? OverdueShare { get; init; }
    public List<ReasonCount> RejectionsByReason { get; init; } = [];
    public List<StationFigures> ByStation { get; init; } = [];
}

public sealed record ReasonCount(string Reason, long Referrals);

/// <summary>One receiving station (by its county): referrals, accepted, rejected, overdue, and its median minutes to accept.</summary>
public sealed record StationFigures
{
    public string Station { get; init; } = "";
    public long Referrals { get; init; }
    public long Accepted { get; init; }
    public long Rejected { get; init; }
    public long Overdue { get; init; }
    public double? AcceptP50Minutes { get; init; }
}

/// <summary>Relief given in the period.</summary>
public sealed record ReliefFigures
{
    public List<ProvinceVouchers> VouchersByProvince { get; init; } = [];
    public long Escorts { get; init; }
    /// <summary>Stays, not nights: the ledger's event carries no number of nights.</summary>
    public long Lodging { get; init; }
    public long Food { get; init; }
    public long Fares { get; init; }
    public decimal FaresAmount { get; init; }
}

public sealed record ProvinceVouchers(string Province, long Count, decimal Amount);

/// <summary>Service points of a county by kind and status (now, not in the period).</summary>
public sealed record CoverageRow(string County, string Kind, string Status, long Points);

/// <summary>The cases behind a number, a page at a time (keyset: <see cref="Next"/> is the next page's <c>after</c>).</summary>
public sealed record StatisticsCasePage
{
    public List<StatisticsCase> Items { get; init; } = [];
    public string? Next { get; init; }
}

/// <summary>A case behind a number: only its id and number (the read model keeps no name); the case's page says the rest.</summary>
public sealed record StatisticsCase
{
    public Guid CaseId { get; init; }
    public string? CaseNumber { get; init; }
    public string? CountyCode { get; init; }
    public string? ServicePointCode { get; init; }
    public DateTimeOffset? RegisteredAt { get; init; }
}

/// <summary>The period Reporting counted over (its default: this month).</summary>
public sealed record StatisticsPeriodView(DateOnly From, DateOnly To);

/// <summary>The city's dashboard (<c>GET /api/statistics/today</c>): what stands open now, whatever day it began.</summary>
public sealed record TodayView
{
    public DateOnly? Date { get; init; }
    public long OpenReferrals { get; init; }
    public long Overdue { get; init; }
    public List<CoverageGap> CoverageGaps { get; init; } = [];
    /// <summary>寻亲公告 not yet published: all, those in their last hours before the 24-hour limit, those past it.</summary>
    public NoticeFigures FamilySearch { get; init; } = new();
}

public sealed record NoticeFigures
{
    public long Unpublished { get; init; }
    public long NearLimit { get; init; }
    public long PastLimit { get; init; }
}

/// <summary>寻亲 in the period: notices of arrivals in it, published within 24 hours, overdue; reunions in it.</summary>
public sealed record FamilySearchSummary
{
    public long Notices { get; init; }
    public long Published { get; init; }
    public long PublishedWithin24Hours { get; init; }
    public double ShareWithin24Hours { get; init; }
    public long Overdue { get; init; }
    public long Reunions { get; init; }
}

/// <summary>A county without an embedded point of one of the kinds every county is expected to have.</summary>
public sealed record CoverageGap
{
    public string County { get; init; } = "";
    public List<string> MissingKinds { get; init; } = [];
}
