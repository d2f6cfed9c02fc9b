using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Relief.Portal.Clients;

/// <summary>Registry's service points, as its OpenAPI document describes them (<c>/openapi/v1.json</c> on registry).</summary>
public sealed class RegistryClient(HttpClient http)
{
    public async Task<ApiResult<List<ServicePointView>>> ListAsync(string? county, string? kind, string? status, CancellationToken cancellationToken)
    {
        var query = Query.Of(("county", county), ("kind", kind), ("status", status));
        return await ApiResult.FromAsync<List<ServicePointView>>(await http.GetAsync($"/api/service-points{query}", cancellationToken), cancellationToken);
    }

    public async Task<ApiResult<ServicePointDetail>> GetAsync(string code, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<ServicePointDetail>(await http.GetAsync($"/api/service-points/{Uri.EscapeDataString(code)}", cancellationToken), cancellationToken);

    public async Task<ApiResult<ServicePointView>> CreateAsync(object point, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<ServicePointView>(await http.PostAsJsonAsync("/api/service-points", point, cancellationToken), cancellationToken);

    public async Task<ApiResult<ServicePointView>> UpdateAsync(string code, object point, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<ServicePointView>(await http.PutAsJsonAsync($"/api/service-points/{Uri.EscapeDataString(code)}", point, cancellationToken), cancellationToken);

    public async Task<ApiResult<ServicePointView>> ChangeStatusAsync(string code, object change, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<ServicePointView>(await http.PostAsJsonAsync($"/api/service-points/{Uri.EscapeDataString(code)}/status", change, cancellationToken), cancellationToken);

    public async Task<ApiResult<List<NearbyPoint>>> NearestAsync(double lon, double lat, string? service, CancellationToken cancellationToken)
    {
        var url = string.Create(CultureInfo.InvariantCulture, $"/api/service-points/nearest?lon={lon}&lat={lat}&limit=10")
                  + (string.IsNullOrEmpty(service) ? "" : $"&service={Uri.EscapeDataString(service)}");
        return await ApiResult.FromAsync<List<NearbyPoint>>(await http.GetAsync(url, cancellationToken), cancellationToken);
    }

    public async Task<ApiResult<List<PersonSummary>>> PersonsAsync(bool candidates, string? name, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<List<PersonSummary>>(await http.GetAsync(
            $"/api/persons{Query.Of(("candidates", candidates ? "true" : null), ("name", name))}", cancellationToken), cancellationToken);

    public async Task<ApiResult<PersonDetail>> PersonAsync(Guid id, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<PersonDetail>(await http.GetAsync($"/api/persons/{id}", cancellationToken), cancellationToken);

    /// <summary><paramref name="decision"/> is "confirm" or "reject".</summary>
    public async Task<ApiResult<JsonElement>> DecideAsync(Guid id, Guid otherId, string decision, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<JsonElement>(await http.PostAsync($"/api/persons/{id}/candidates/{otherId}/{decision}", null, cancellationToken), cancellationToken);

    public async Task<ApiResult<SplitResult>> SplitAsync(Guid id, Guid[] caseIds, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<SplitResult>(await http.PostAsJsonAsync($"/api/persons/{id}/split", new { caseIds }, cancellationToken), cancellationToken);

    public async Task<ApiResult<CoverageReport>> CoverageAsync(CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<CoverageReport>(await http.GetAsync("/api/service-points/coverage", cancellationToken), cancellationToken);
}

public sealed record ServicePointView(
    string Code, string Name, string Kind, string CountyCode, string Address, double Longitude, double Latitude,
    JsonElement OpeningHours, string? Phone, string[] Services, string Status, DateOnly? SignInstalledOn,
    int? StaffTrainedCount, DateOnly? StaffTrainedOn, string? ReceivingStationCode, bool IsDemo, int Version);

public sealed record StatusChange(string Status, DateTimeOffset ChangedAt, string ChangedBy, string? Note);

public sealed record ServicePointDetail(ServicePointView Point, List<StatusChange> History);

public sealed record NearbyPoint(
    string Code, string Name, string Kind, string CountyCode, string Address, double Longitude, double Latitude,
    string? Phone, JsonElement OpeningHours, double DistanceMetres);

public sealed record CoverageCount(string CountyCode, string Kind, string Status, int Points);

public sealed record CoveragePoint(string Code, string Name, string CountyCode, string Kind, string Status, DateOnly? StaffTrainedOn);

public sealed record CoverageReport(List<CoverageCount> Counts, List<CoveragePoint> Gaps, List<CoveragePoint> TrainingOverdue);

public sealed record PersonSummary(Guid Id, string? Name, string Sex, int? BirthYear, int? EstimatedAge, string? HouseholdRegion,
    string CountyCode, string ServicePointCode, string? IdNumber, DateTime RecordedAt, Guid? MergedInto, int CaseCount, int OpenCandidates,
    string? TraceId);

public sealed record PersonCase(Guid CaseId, string CountyCode, string ServicePointCode, string Channel, string Need, DateTime RegisteredAt, string LinkedBy);

public sealed record PersonSignals(int TravelVouchersLast30Days, int CasesLast30Days);

public sealed record PersonCandidate(Guid PersonId, string? Name, string Sex, int? BirthYear, int? EstimatedAge, string? HouseholdRegion,
    string CountyCode, DateTime RecordedAt, int CaseCount, decimal Score, string[] Reasons);

public sealed record KeptApart(Guid PersonId, string Decision, DateTime? DecidedAt);

public sealed record PersonDetail(PersonSummary Person, List<PersonCase> Cases, PersonSignals Signals, List<PersonCandidate> Candidates,
    List<KeptApart> KeptApart);

public sealed record SplitResult(Guid PersonId, Guid NewPersonId);
