using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relief.Portal.Clients;

/// <summary>
/// FamilySearch's staff API (寻亲, issue 13): notices (寻亲公告) through draft → review → publication → withdrawal, the
/// police's requests, missing-person reports (寻人登记), their match candidates, and case photos. Every change of a notice
/// carries the version the user saw; a stale one answers 409.
/// </summary>
public sealed class FamilySearchClient(HttpClient http)
{
    private const string Base = "/api/family-search";

    /// <summary>Reports leave out what the family did not say, so the stored report holds no empty strings.</summary>
    private static readonly JsonSerializerOptions WithoutNulls = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Notices in the reader's scope: open ones by their due time first.</summary>
    public async Task<ApiResult<ItemPage<NoticeSummary>>> NoticesAsync(string? status, string? after, int? limit, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<ItemPage<NoticeSummary>>(() => http.GetAsync(
            $"{Base}/notices{Query.Of(("status", status), ("after", after), ("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)))}",
            cancellationToken), cancellationToken);

    public async Task<ApiResult<NoticeDetail>> NoticeAsync(Guid id, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<NoticeDetail>(() => http.GetAsync($"{Base}/notices/{id}", cancellationToken), cancellationToken);

    /// <summary>Saves the notice's items (a draft, or one in review); a stale version answers 409.</summary>
    public async Task<ApiResult<NoticeDetail>> UpdateNoticeAsync(Guid id, NoticeUpdate update, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<NoticeDetail>(() => http.PutAsJsonAsync($"{Base}/notices/{id}", update, cancellationToken), cancellationToken);

    /// <summary>
    /// submit, approve, return or withdraw: <paramref name="body"/> has the version the user saw and the action's own fields
    /// (return: comment; withdraw: reason and comment).
    /// </summary>
    public async Task<ApiResult<NoticeDetail>> ActOnNoticeAsync(Guid id, string action, object body, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<NoticeDetail>(() => http.PostAsJsonAsync(
            $"{Base}/notices/{id}/{Uri.EscapeDataString(action)}", body, cancellationToken), cancellationToken);

    public async Task<ApiResult<List<MatchCandidate>>> NoticeCandidatesAsync(Guid noticeId, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<List<MatchCandidate>>(() => http.GetAsync($"{Base}/notices/{noticeId}/candidates", cancellationToken), cancellationToken);

    public async Task<ApiResult<List<MatchCandidate>>> ReportCandidatesAsync(Guid reportId, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<List<MatchCandidate>>(() => http.GetAsync($"{Base}/reports/{reportId}/candidates", cancellationToken), cancellationToken);

    /// <summary>Confirms (the family is found: the reunion is recorded, the notice withdrawn) or rejects a candidate.</summary>
    public async Task<ApiResult<JsonElement>> DecideMatchAsync(Guid matchId, bool confirm, string? comment, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<JsonElement>(() => http.PostAsJsonAsync(
            $"{Base}/matches/{matchId}/{(confirm ? "confirm" : "reject")}", new { comment }, cancellationToken), cancellationToken);

    public async Task<ApiResult<ItemPage<PoliceRequest>>> PoliceRequestsAsync(string? status, Guid? caseId, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<ItemPage<PoliceRequest>>(() => http.GetAsync(
            $"{Base}/police-requests{Query.Of(("status", status), ("caseId", caseId?.ToString()))}", cancellationToken), cancellationToken);

    /// <summary>Records a request made of the police; its deadline follows from its kind (DNA 30 days, identity 7, trafficking 1).</summary>
    public async Task<ApiResult<PoliceRequest>> RequestPoliceAsync(Guid caseId, string? kind, string? policeUnit, string? reference, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<PoliceRequest>(() => http.PostAsJsonAsync(
            $"{Base}/cases/{caseId}/police-requests", new { kind, policeUnit, reference }, cancellationToken), cancellationToken);

    public async Task<ApiResult<PoliceRequest>> RecordPoliceResultAsync(Guid requestId, string? result, string? note, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<PoliceRequest>(() => http.PostAsJsonAsync(
            $"{Base}/police-requests/{requestId}/result", new { result, note }, cancellationToken), cancellationToken);

    public async Task<ApiResult<ItemPage<ReportSummary>>> ReportsAsync(string? status, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<ItemPage<ReportSummary>>(() => http.GetAsync($"{Base}/reports{Query.Of(("status", status))}", cancellationToken), cancellationToken);

    /// <summary>A report; with a purpose, the reporter's whole phone number (FamilySearch writes the read to its audit log).</summary>
    public async Task<ApiResult<ReportDetail>> ReportAsync(Guid id, string? revealPurpose, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<ReportDetail>(() => http.GetAsync(revealPurpose is null
            ? $"{Base}/reports/{id}"
            : $"{Base}/reports/{id}{Query.Of(("reveal", "true"), ("purpose", revealPurpose))}", cancellationToken), cancellationToken);

    /// <summary>Registers a missing-person report; the form's <paramref name="idempotencyKey"/> makes a repeated submit the same report.</summary>
    public async Task<ApiResult<CreatedReport>> CreateReportAsync(NewReport report, string idempotencyKey, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<CreatedReport>(() =>
        {
            var message = new HttpRequestMessage(HttpMethod.Post, $"{Base}/reports") { Content = JsonContent.Create(report, options: WithoutNulls) };
            message.Headers.Add("Idempotency-Key", idempotencyKey);
            return http.SendAsync(message, cancellationToken);
        }, cancellationToken);

    /// <summary>Uploads a photo of a case (the service checks type and size, re-encodes it without its metadata and seals it).</summary>
    public async Task<ApiResult<UploadedPhoto>> UploadCasePhotoAsync(Guid caseId, Stream file, string fileName, string? contentType, CancellationToken cancellationToken) =>
        await UploadAsync($"{Base}/cases/{caseId}/photos", file, fileName, contentType, cancellationToken);

    public async Task<ApiResult<UploadedPhoto>> UploadReportPhotoAsync(Guid reportId, Stream file, string fileName, string? contentType, CancellationToken cancellationToken) =>
        await UploadAsync($"{Base}/reports/{reportId}/photos", file, fileName, contentType, cancellationToken);

    private async Task<ApiResult<UploadedPhoto>> UploadAsync(string path, Stream file, string fileName, string? contentType, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<UploadedPhoto>(() =>
        {
            var content = new MultipartFormDataContent();
            var part = new StreamContent(file);
            if (contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var type))
            {
                part.Headers.ContentType = type;
            }

            content.Add(part, "file", fileName);
            return http.PostAsync(path, content, cancellationToken);
        }, cancellationToken);

    /// <summary>A photo as the service answers it (image/jpeg, or a refusal), for the portal to pass on; the caller disposes it.</summary>
    public Task<HttpResponseMessage> PhotoAsync(Guid photoId, CancellationToken cancellationToken) =>
        http.GetAsync($"{Base}/photos/{photoId}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
}

/// <summary>
/// The public side of family search (全国救助寻亲 as Yuncheng publishes it): published notices only, their public fields
/// only, no sign-in. Called without the user's token — the visitor has none.
/// </summary>
public sealed class PublicNoticesClient(HttpClient http)
{
    public async Task<ApiResult<ItemPage<PublicNotice>>> ListAsync(PublicNoticeFilter filter, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<ItemPage<PublicNotice>>(() => http.GetAsync($"/api/public/notices{filter.Query()}", cancellationToken), cancellationToken);

    public async Task<ApiResult<PublicNotice>> GetAsync(Guid id, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<PublicNotice>(() => http.GetAsync($"/api/public/notices/{id}", cancellationToken), cancellationToken);

    public Task<HttpResponseMessage> PhotoAsync(Guid id, CancellationToken cancellationToken) =>
        http.GetAsync($"/api/public/notices/{id}/photo", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
}

/// <summary>
/// Who asks the public API: the visitor's address, not the portal's. FamilySearch limits the public API per client
/// address, and without this every visitor would share the portal's one allowance.
/// </summary>
public sealed class VisitorAddressHandler(IHttpContextAccessor httpContext) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (httpContext.HttpContext?.Connection.RemoteIpAddress is { } address)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", address.ToString());
        }

        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>A page of a list: its items and, when there are more, where the next page starts.</summary>
[JsonConverter(typeof(ItemPageConverterFactory))]
public sealed record ItemPage<T>(List<T> Items, string? Next);

/// <summary>Reads <c>{ items, next }</c>, or a bare array (a list the service does not page) as one page.</summary>
public sealed class ItemPageConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(ItemPage<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(ItemPageConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class ItemPageConverter<T> : JsonConverter<ItemPage<T>>
    {
        public override ItemPage<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                return new ItemPage<T>(root.Deserialize<List<T>>(options) ?? [], null);
            }

            var items = root.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array ? list.Deserialize<List<T>>(options) ?? [] : [];
            var next = root.TryGetProperty("next", out var after) && after.ValueKind != JsonValueKind.Null ? after.ToString() : null;
            return new ItemPage<T>(items, next);
        }

        public override void Write(Utf8JsonWriter writer, ItemPage<T> value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("items");
            JsonSerializer.Serialize(writer, value.Items, options);
            writer.WriteString("next", value.Next);
            writer.WriteEndObject();
        }
    }
}

/// <summary>A notice as the list shows it, with its 24-hour clock.</summary>
public sealed record NoticeSummary
{
    public Guid Id { get; init; }
    public Guid CaseId { get; init; }
    public string? CaseNumber { get; init; }
    public string Status { get; init; } = "";
    public DateTimeOffset ArrivedAt { get; init; }
    public DateTimeOffset DueAt { get; init; }
    public int OverdueLevel { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public string? Sex { get; init; }
    public int? AgeLow { get; init; }
    public int? AgeHigh { get; init; }
    public bool HasPhoto { get; init; }

    /// <summary>Drafted or in review: the 24-hour clock still runs.</summary>
    public bool IsOpen => Status is "draft" or "in_review";
}

/// <summary>寻亲公告: the national items, the sealed details, the photo, who submitted and approved it, and its history.</summary>
public sealed record NoticeDetail
{
    public Guid Id { get; init; }
    public Guid CaseId { get; init; }
    public string? CaseNumber { get; init; }
    public Guid? ReferralId { get; init; }
    public string StationCounty { get; init; } = "";
    public string CountyCode { get; init; } = "";
    public string Status { get; init; } = "";
    public int Version { get; init; }
    public DateTimeOffset ArrivedAt { get; init; }
    public DateTimeOffset DueAt { get; init; }
    public int OverdueLevel { get; init; }
    public string? Sex { get; init; }
    public int? AgeLow { get; init; }
    public int? AgeHigh { get; init; }
    public int? HeightCm { get; init; }
    public string? Build { get; init; }
    public string? Ethnicity { get; init; }
    public string? Accent { get; init; }
    public DateOnly? FoundOn { get; init; }
    public string? FoundCounty { get; init; }
    public NoticeDetails Details { get; init; } = new();
    public Guid? PhotoId { get; init; }
    public DateTimeOffset DraftedAt { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }
    public string? SubmittedByName { get; init; }
    public DateTimeOffset? ApprovedAt { get; init; }
    public string? ApprovedByName { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public DateTimeOffset? WithdrawnAt { get; init; }
    public string? WithdrawnReason { get; init; }
    public List<NoticeStep> History { get; init; } = [];

    public bool IsOpen => Status is "draft" or "in_review";
}

/// <summary>The items sealed at rest: personal data until the notice is published.</summary>
public sealed record NoticeDetails
{
    public string? Name { get; init; }
    public string? Health { get; init; }
    public string? MentalState { get; init; }
    public string? Features { get; init; }
    public string? Clothing { get; init; }
    public string? FoundPlace { get; init; }
    public string? Contact { get; init; }
}

public sealed record NoticeStep(DateTimeOffset At, string Action, string? ByName);

/// <summary>The body of <c>PUT /notices/{id}</c>: every item, on the version the user saw.</summary>
public sealed record NoticeUpdate(
    int Version, string? Sex, int? AgeLow, int? AgeHigh, int? HeightCm, string? Build, string? Ethnicity, string? Accent,
    DateOnly? FoundOn, string? FoundCounty, NoticeDetails Details);

/// <summary>A candidate pairing of a notice and a report, scored 0–1, with the reasons (codes) the score rests on.</summary>
public sealed record MatchCandidate
{
    public Guid MatchId { get; init; }
    public Guid NoticeId { get; init; }
    public Guid ReportId { get; init; }
    public double Score { get; init; }
    public List<string> Reasons { get; init; } = [];
    public string Status { get; init; } = "";
    /// <summary>The report's coarse items (a report of another county is out of a station's scope).</summary>
    public CandidateReport? Report { get; init; }
    /// <summary>The notice's coarse items (a notice is out of point staff's scope).</summary>
    public CandidateNotice? Notice { get; init; }
}

public sealed record CandidateReport(string ReportNumber, string Sex, int AgeThen, int LastSeenYear, string? LastSeenCounty, string TakenInCounty);

public sealed record CandidateNotice(string Status, string Sex, int? AgeLow, int? AgeHigh, DateOnly? FoundOn, string? FoundCounty, string StationCounty);

/// <summary>A request made of the police (公安协助): what, of whom, by when, and what came back.</summary>
public sealed record PoliceRequest
{
    public Guid Id { get; init; }
    public Guid CaseId { get; init; }
    public string? CaseNumber { get; init; }
    public string Kind { get; init; } = "";
    public string? PoliceUnit { get; init; }
    public string? Reference { get; init; }
    public string Status { get; init; } = "";
    public DateTimeOffset? RequestedAt { get; init; }
    public DateTimeOffset DueAt { get; init; }
    public int OverdueLevel { get; init; }
    public string? Result { get; init; }
    public string? Note { get; init; }
    public DateTimeOffset? AnsweredAt { get; init; }

    public bool IsOpen => Status == "open";
}

/// <summary>
/// A missing-person report as a list shows it. The design fixes the report's body, not its list's rows: the portal reads
/// the fields the body has, and shows what comes.
/// </summary>
public record ReportSummary
{
    public Guid Id { get; init; }
    public string? ReportNumber { get; init; }
    public string Status { get; init; } = "";
    public string? Channel { get; init; }
    public string? ServicePointCode { get; init; }
    public string? CountyCode { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public SoughtPerson? Sought { get; init; }
}

/// <summary>寻人登记: who the family seeks, and how to reach them (the phone masked unless revealed for a purpose).</summary>
public sealed record ReportDetail : ReportSummary
{
    public Reporter? Reporter { get; init; }
    public Guid? PhotoId { get; init; }
}

/// <summary>The person sought, as the family describes them.</summary>
public sealed record SoughtPerson
{
    public string? Name { get; init; }
    public string? Sex { get; init; }
    public int? AgeThen { get; init; }
    public int? YearLastSeen { get; init; }
    public DateOnly? LastSeenOn { get; init; }
    public string? LastSeenPlace { get; init; }
    public string? LastSeenCounty { get; init; }
    public int? HeightCm { get; init; }
    public string? Features { get; init; }
    public string? Clothing { get; init; }
    public string? Accent { get; init; }
}

public sealed record Reporter
{
    public string? Name { get; init; }
    public string? Relation { get; init; }
    public string? Phone { get; init; }
}

/// <summary>The body of <c>POST /reports</c>.</summary>
public sealed record NewReport(string Channel, string? ServicePointCode, SoughtPerson Sought, Reporter Reporter);

public sealed record CreatedReport(Guid Id, string? ReportNumber);

public sealed record UploadedPhoto(Guid PhotoId);

/// <summary>A published notice, and nothing else: the fields the public may see.</summary>
public sealed record PublicNotice
{
    public Guid Id { get; init; }
    public string? Name { get; init; }
    public string? Sex { get; init; }
    public int? AgeLow { get; init; }
    public int? AgeHigh { get; init; }
    public int? HeightCm { get; init; }
    public string? Build { get; init; }
    public string? Ethnicity { get; init; }
    public string? Accent { get; init; }
    public string? Health { get; init; }
    public string? MentalState { get; init; }
    public string? Features { get; init; }
    public string? Clothing { get; init; }
    public DateOnly? FoundOn { get; init; }
    public string? FoundPlace { get; init; }
    public string? FoundCounty { get; init; }
    public string? Contact { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public bool HasPhoto { get; init; }
}

/// <summary>The national site's filters: sex, ethnicity, accent, age, height, build, region and date found.</summary>
public sealed record PublicNoticeFilter(
    string? Sex = null, string? Ethnicity = null, string? Accent = null, int? AgeFrom = null, int? AgeTo = null,
    int? HeightFrom = null, int? HeightTo = null, string? Build = null, string? Region = null,
    DateOnly? FoundFrom = null, DateOnly? FoundTo = null, string? After = null, int? Limit = null)
{
    public QueryString Query() => Clients.Query.Of(
        ("sex", Sex), ("ethnicity", Ethnicity), ("accent", Accent), ("ageFrom", Number(AgeFrom)), ("ageTo", Number(AgeTo)),
        ("heightFrom", Number(HeightFrom)), ("heightTo", Number(HeightTo)), ("build", Build), ("region", Region),
        ("foundFrom", Date(FoundFrom)), ("foundTo", Date(FoundTo)), ("after", After), ("limit", Number(Limit)));

    private static string? Number(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? Date(DateOnly? value) => value?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
