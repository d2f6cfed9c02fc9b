using System.Net.Http.Json;
using System.Text.Json;

namespace Relief.Portal.Clients;

/// <summary>Intake's cases, as its OpenAPI document describes them (<c>/openapi/v1.json</c> on intake).</summary>
public sealed class IntakeClient(HttpClient http)
{
    /// <summary>Registers a case; the form's <paramref name="idempotencyKey"/> makes a repeated submit return the first case.</summary>
    public async Task<ApiResult<RegisteredCase>> RegisterAsync(object request, string idempotencyKey, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(request) };
        message.Headers.Add("Idempotency-Key", idempotencyKey);
        return await ApiResult.FromAsync<RegisteredCase>(await http.SendAsync(message, cancellationToken), cancellationToken);
    }

    public async Task<ApiResult<CasePage>> ListAsync(IEnumerable<(string Name, string? Value)> filters, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<CasePage>(await http.GetAsync($"/api/cases{Query.Of([.. filters])}", cancellationToken), cancellationToken);

    public async Task<ApiResult<JsonElement>> ConfirmIdentityAsync(Guid id, string? method, string? note, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<JsonElement>(await http.PostAsJsonAsync($"/api/cases/{id}/identity", new { method, note }, cancellationToken), cancellationToken);

    /// <summary>The whole identity document number, for a stated purpose; Intake writes the read to its audit log.</summary>
    public async Task<ApiResult<JsonElement>> RevealIdNumberAsync(Guid id, string purpose, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<JsonElement>(await http.GetAsync(
            $"/api/cases/{id}/id-number{Query.Of(("purpose", purpose))}", cancellationToken), cancellationToken);

    public async Task<ApiResult<EditableRecord>> GetRecordAsync(Guid id, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<EditableRecord>(await http.GetAsync($"/api/cases/{id}/record", cancellationToken), cancellationToken);

    public async Task<ApiResult<JsonElement>> UpdateAsync(Guid id, object record, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<JsonElement>(await http.PutAsJsonAsync($"/api/cases/{id}", record, cancellationToken), cancellationToken);

    public async Task<ApiResult<CaseDetail>> GetAsync(Guid id, CancellationToken cancellationToken) =>
        await ApiResult.FromAsync<CaseDetail>(await http.GetAsync($"/api/cases/{id}", cancellationToken), cancellationToken);
}

public sealed record RegisteredCase(Guid Id, string CaseNumber, DateTimeOffset RegisteredAt, string? TraceId, string? PossibleDuplicateOf = null);

public sealed record CaseSummary(Guid Id, string CaseNumber, string CountyCode, string ServicePointCode, string Channel,
    string? PersonName, string Sex, int? EstimatedAge, string Need, string? IdNumber, string? ReferredToStationCounty,
    DateTimeOffset RegisteredAt, DateTimeOffset? ClosedAt, bool Anonymised, string? TraceId,
    int? BirthYear, string[] Situations, string IdentityStatus, int ContactsCount, string? PossibleDuplicateOf = null);

public sealed record CasePage(List<CaseSummary> Items, string? Next);

public sealed record RelativeContact(string? Name, string? Relation, string? Phone, string? Address);

public sealed record CaseContacts(string? Phone, List<RelativeContact> Relatives);

/// <summary>A case's page, as Intake answers it: the summary's fields and the rest of the record.</summary>
public sealed record CaseDetail(Guid Id, string CaseNumber, string CountyCode, string ServicePointCode, string Channel,
    string? PersonName, string Sex, int? EstimatedAge, string Need, string? IdNumber, string? ReferredToStationCounty,
    DateTimeOffset RegisteredAt, DateTimeOffset? ClosedAt, bool Anonymised, string? TraceId,
    int? BirthYear, string[] Situations, string IdentityStatus, int ContactsCount, string? PossibleDuplicateOf,
    string? HouseholdPlace, string Benefits, string[] Needs, string? Belongings, string? Place, DateOnly? BirthDate,
    CaseContacts? Contacts, string? Notes, string? Circumstances = null, List<CaseHistoryEntry>? History = null, int Version = 1);

/// <summary>A step of a case: <c>By</c> is the user's id (or <c>referral</c>), <c>ByName</c> who that was, when kept.</summary>
public sealed record CaseHistoryEntry(DateTimeOffset At, string By, string Action, JsonElement Detail, string? ByName = null, string? ByOffice = null);

/// <summary>A case's record for the form that completes it (补充登记): the name in full, the ID number masked.</summary>
public sealed record EditableRecord(Guid Id, int Version, string? PersonName, string Sex, int? EstimatedAge, string Need,
    string? Circumstances, string? IdNumberMasked, DateOnly? BirthDate, string? HouseholdPlace, string Benefits, string[] Situations,
    string[] Needs, string? Phone, List<RelativeContact> Relatives, string? Belongings, string? Place, string? Notes);
