using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relief.Portal.Clients;

/// <summary>
/// Referral's API (<c>/openapi/v1.json</c> on referral): classified relief (分类救助) and its rules, the relief ledger
/// (救助台账), referrals (转介) through their lifecycle, and stay extensions. Every change of a referral carries the
/// version the user saw; a stale one answers 409, read with <see cref="ReferralConflict.From"/>.
/// </summary>
public sealed class ReferralClient(HttpClient http)
{
    /// <summary>Ledger details leave out what was not given, so a retry of the same entry is byte-for-byte the same.</summary>
    private static readonly JsonSerializerOptions WithoutNulls = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task<ApiResult<List<Classification>>> ClassificationAsync(Guid caseId, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<List<Classification>>(() => http.GetAsync($"/api/cases/{caseId}/classification", cancellationToken), cancellationToken);

    public async Task<ApiResult<RuleSet>> RulesAsync(CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<RuleSet>(() => http.GetAsync("/api/classification/rules", cancellationToken), cancellationToken);

    public async Task<ApiResult<List<RuleSetVersion>>> RuleVersionsAsync(CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<List<RuleSetVersion>>(() => http.GetAsync("/api/classification/rules/versions", cancellationToken), cancellationToken);

    /// <summary>Publishes a new version of the rules (city administrators); past decisions keep the version they used.</summary>
    public async Task<ApiResult<PublishedRules>> PublishRulesAsync(string? comment, JsonElement rules, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<PublishedRules>(() => http.PostAsJsonAsync("/api/classification/rules", new { comment, rules }, cancellationToken), cancellationToken);

    /// <summary>Referrals waiting on the reader's station or scope: overdue first, then by priority, then oldest first.</summary>
    public async Task<ApiResult<List<ReferralSummary>>> InboxAsync(string status, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<List<ReferralSummary>>(() => http.GetAsync($"/api/referrals/inbox{Query.Of(("status", status))}", cancellationToken), cancellationToken);

    /// <summary>The case's referrals, oldest first; none the reader may see is an empty list (the service answers 404).</summary>
    public async Task<ApiResult<List<ReferralSummary>>> OfCaseAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var result = await ApiResult.CallAsync<List<ReferralSummary>>(() => http.GetAsync($"/api/referrals{Query.Of(("caseId", caseId.ToString()))}", cancellationToken), cancellationToken);
        return result.Status == HttpStatusCode.NotFound ? ApiResult.Of(new List<ReferralSummary>()) : result;
    }

    public async Task<ApiResult<ReferralDetail>> GetAsync(Guid id, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<ReferralDetail>(() => http.GetAsync($"/api/referrals/{id}", cancellationToken), cancellationToken);

    /// <summary>
    /// One step of the lifecycle: accept, reject, start, complete, cancel, transfer or reopen. <paramref name="body"/> has
    /// the version the user saw and the action's own fields; the answer is the referral as it is now (for a transfer: the
    /// new referral).
    /// </summary>
    public async Task<ApiResult<ReferralDetail>> ActAsync(Guid id, string action, object body, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<ReferralDetail>(() => http.PostAsJsonAsync(
            $"/api/referrals/{id}/{Uri.EscapeDataString(action)}", body, cancellationToken), cancellationToken);

    /// <summary>重新转介: a new referral of the case to its county's station, after a rejection or a cancellation.</summary>
    public async Task<ApiResult<ReferralDetail>> ReferAgainAsync(Guid caseId, string? comment, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<ReferralDetail>(() => http.PostAsJsonAsync($"/api/cases/{caseId}/referrals", new { comment }, cancellationToken), cancellationToken);

    public async Task<ApiResult<List<ReliefAction>>> LedgerAsync(Guid caseId, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<List<ReliefAction>>(() => http.GetAsync($"/api/cases/{caseId}/relief", cancellationToken), cancellationToken);

    /// <summary>
    /// Records relief given under an id the form made when it opened: a double click or a retry is the same entry
    /// (201 the first time, 200 after).
    /// </summary>
    public async Task<ApiResult<ReliefAction>> RecordReliefAsync(Guid caseId, Guid actionId, ReliefEntry entry, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<ReliefAction>(() => http.PutAsJsonAsync(
            $"/api/cases/{caseId}/relief/{actionId}", entry, WithoutNulls, cancellationToken), cancellationToken);

    public async Task<ApiResult<JsonElement>> VoidReliefAsync(Guid actionId, string? reason, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<JsonElement>(() => http.PostAsJsonAsync($"/api/relief/{actionId}/void", new { reason }, cancellationToken), cancellationToken);

    public async Task<ApiResult<JsonElement>> RequestExtensionAsync(Guid referralId, int? days, string? reason, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<JsonElement>(() => http.PostAsJsonAsync($"/api/referrals/{referralId}/extensions", new { days, reason }, cancellationToken), cancellationToken);

    public async Task<ApiResult<List<ExtensionRequest>>> PendingExtensionsAsync(CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<List<ExtensionRequest>>(() => http.GetAsync($"/api/extensions{Query.Of(("status", "pending"))}", cancellationToken), cancellationToken);

    /// <summary>Approves or refuses a stay extension (county officers, the city).</summary>
    public async Task<ApiResult<JsonElement>> DecideExtensionAsync(Guid id, bool approve, string? comment, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<JsonElement>(() => http.PostAsJsonAsync(
            $"/api/extensions/{id}/{(approve ? "approve" : "refuse")}", new { comment }, cancellationToken), cancellationToken);
}

/// <summary>分类救助: one decision on a case, by the rules of <see cref="RuleSetVersion"/>, with the rules that fired.</summary>
public sealed record Classification
{
    public Guid Id { get; init; }
    public int RuleSetVersion { get; init; }
    /// <summary>relief_at_point or referral.</summary>
    public string Decision { get; init; } = "";
    public string? Priority { get; init; }
    public DateTimeOffset At { get; init; }
    /// <summary>registered, identity_confirmed or updated.</summary>
    public string? Trigger { get; init; }
    public List<FiredRule> Fired { get; init; } = [];
    /// <summary>What the decision did with the case's open referral; none when there was none or it agreed.</summary>
    public ClassificationOpenReferral? OpenReferral { get; init; }
}

/// <summary>The case's open referral as a decision found it: its status then, and withdrawn, priority_raised or differs.</summary>
public sealed record ClassificationOpenReferral
{
    public Guid ReferralId { get; init; }
    public string Status { get; init; } = "";
    public string Effect { get; init; } = "";
}

/// <summary>A rule that fired, with why, in words staff and auditors read.</summary>
public sealed record FiredRule
{
    public string Code { get; init; } = "";
    public string? ExplanationZh { get; init; }
    public string? ExplanationEn { get; init; }
    public string? ReferTo { get; init; }
    public string? Priority { get; init; }
    public bool EscortRequired { get; init; }
    public List<string> ReliefAtPoint { get; init; } = [];
    public List<string> UrgentActions { get; init; } = [];
}

/// <summary>The rules in force; each rule is shown as the service spells it (the page reads its fields by name).</summary>
public sealed record RuleSet
{
    public int Version { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public string? CreatedByName { get; init; }
    public string? Comment { get; init; }
    public JsonElement Rules { get; init; }
}

public sealed record RuleSetVersion(int Version, DateTimeOffset CreatedAt, string? CreatedBy, string? Comment, string? CreatedByName = null);

public sealed record PublishedRules(int Version);

/// <summary>A referral as a list shows it.</summary>
public record ReferralSummary
{
    public Guid Id { get; init; }
    public Guid CaseId { get; init; }
    public string? CaseNumber { get; init; }
    public string CountyCode { get; init; } = "";
    public string ServicePointCode { get; init; } = "";
    public string ReceivingStationCounty { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Priority { get; init; }
    public DateTimeOffset SentAt { get; init; }
    public DateTimeOffset? AcceptBy { get; init; }
    /// <summary>An open deadline of the referral has fired (acceptance, or care days).</summary>
    public bool Overdue { get; init; }
    public int OverdueLevel { get; init; }
    public int Version { get; init; }

    /// <summary>Requested, accepted or in progress: someone still has to act on it.</summary>
    public bool IsOpen => Status is "requested" or "accepted" or "in_progress";
}

/// <summary>A referral's page: its state, what may be done next, its history and its stay extensions.</summary>
public sealed record ReferralDetail : ReferralSummary
{
    public DateTimeOffset? AcceptedAt { get; init; }
    public DateTimeOffset? CareStartedAt { get; init; }
    public DateTimeOffset? CareUntil { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public string? RejectReason { get; init; }
    public string? Outcome { get; init; }
    public JsonElement? OutcomeDetail { get; init; }
    public Guid? TransferredFrom { get; init; }
    public List<string> AllowedActions { get; init; } = [];
    public List<ReferralStep> History { get; init; } = [];
    public List<StayExtension> Extensions { get; init; } = [];
}

/// <summary>A step of a referral: <c>By</c> is the user's id (or Referral's code), <c>ByName</c> who that was, when kept.</summary>
public sealed record ReferralStep(int Version, DateTimeOffset At, string? By, string Action, string? FromStatus, string? ToStatus, JsonElement? Detail,
    string? ByName = null, string? ByOffice = null);

/// <summary>A request to keep a person in care beyond the configured days (10 by the national rules).</summary>
public sealed record StayExtension(Guid Id, int Days, string? Reason, string Status, DateTimeOffset RequestedAt, string? RequestedBy,
    DateTimeOffset? DecidedAt, string? DecidedBy, string? DecisionComment,
    string? RequestedByName = null, string? RequestedByOffice = null, string? DecidedByName = null, string? DecidedByOffice = null);

/// <summary>A stay extension waiting for a county officer's (or the city's) decision.</summary>
public sealed record ExtensionRequest(Guid Id, Guid ReferralId, Guid CaseId, string? CaseNumber, string ReceivingStationCounty, int Days,
    string? Reason, DateTimeOffset RequestedAt, string? RequestedBy, string Status,
    string? RequestedByName = null, string? RequestedByOffice = null);

/// <summary>One entry of the relief ledger (救助台账).</summary>
public sealed record ReliefAction
{
    public Guid Id { get; init; }
    public Guid CaseId { get; init; }
    public Guid? ReferralId { get; init; }
    public string Kind { get; init; } = "";
    public decimal? Amount { get; init; }
    public JsonElement? Details { get; init; }
    public bool ReceiptSigned { get; init; }
    public DateTimeOffset RecordedAt { get; init; }
    public string? RecordedBy { get; init; }
    public string? RecordedByName { get; init; }
    public string? RecordedByOffice { get; init; }
    public DateTimeOffset? VoidedAt { get; init; }
    public string? VoidedBy { get; init; }
    public string? VoidedByName { get; init; }
    public string? VoidedByOffice { get; init; }
    public string? VoidReason { get; init; }
}

/// <summary>What a ledger entry records: the kind, an amount for a voucher or a fare, and the kind's own details.</summary>
public sealed record ReliefEntry(string Kind, decimal? Amount, bool ReceiptSigned, ReliefDetails Details);

/// <summary>
/// A voucher's destination and mode; lodging nights; an escort's who, where to, when and how; a note for anything else.
/// </summary>
public sealed record ReliefDetails(
    string? Destination = null, string? Mode = null, int? Nights = null, string? EscortBy = null, string? EscortTo = null,
    DateTimeOffset? EscortAt = null, string? EscortHow = null, string? Note = null);

/// <summary>
/// A 409 from a referral: someone changed it first, or the action is not allowed from its state. The page says so and
/// shows the referral as it now is.
/// </summary>
public sealed record ReferralConflict(string? CurrentStatus, int? CurrentVersion, IReadOnlyList<string> AllowedActions)
{
    /// <summary>
    /// Reads the problem's extensions. Its <c>status</c> extension (the referral's state, a string) shares the name of
    /// the problem's own <c>status</c> (the HTTP code, a number): the string one is the referral's.
    /// </summary>
    public static ReferralConflict? From<T>(ApiResult<T> result)
    {
        if (result.Status != HttpStatusCode.Conflict || result.Problem is not { ValueKind: JsonValueKind.Object } problem)
        {
            return null;
        }

        string? status = null;
        int? version = null;
        var allowed = new List<string>();
        foreach (var member in problem.EnumerateObject())
        {
            switch (member.Name)
            {
                case "status" or "currentStatus" when member.Value.ValueKind == JsonValueKind.String:
                    status = member.Value.GetString();
                    break;
                case "version" or "currentVersion" when member.Value.ValueKind == JsonValueKind.Number && member.Value.TryGetInt32(out var number):
                    version = number;
                    break;
                case "allowedActions" when member.Value.ValueKind == JsonValueKind.Array:
                    allowed.AddRange(member.Value.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!));
                    break;
            }
        }

        return new ReferralConflict(status, version, allowed);
    }
}
