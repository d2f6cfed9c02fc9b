using Relief.ServiceDefaults.Http;

namespace Relief.Referral.Classification;

/// <summary>
/// What classified relief decides on, as Intake tells it (POST /internal/cases/facts): codes, an age and a county,
/// never a name, a number or a note. Some are health data, which is why they are read over HTTP and never carried on
/// the bus.
/// </summary>
public sealed record CaseFacts(
    Guid CaseId,
    string CaseNumber,
    string CountyCode,
    string ServicePointCode,
    string Channel,
    string IdentityStatus,
    int? Age,
    IReadOnlyList<string> Situations,
    IReadOnlyList<string> Needs,
    string? HouseholdCounty,
    DateTimeOffset RegisteredAt,
    DateTimeOffset AsOf,
    bool DocumentGiven = false,
    string Need = "");

/// <summary>
/// Intake's facts of a case, read with Referral's own client token: the consumers' lookups at one moment go to Intake in
/// one call (see <see cref="BatchedLookup{TKey,TValue}"/>).
/// </summary>
public sealed class IntakeCaseFacts(IHttpClientFactory clients) : IAsyncDisposable
{
    private readonly BatchedLookup<Guid, CaseFacts> lookup =
        BatchedLookup.OverHttp<Guid, CaseFacts>(clients, nameof(IntakeCaseFacts), "/internal/cases/facts", fact => fact.CaseId);

    /// <summary>
    /// The facts as Intake has them now. Intake unreachable or failing is transient (an <see cref="HttpRequestException"/>
    /// with a 5xx or no status: the message is retried); a case Intake does not have is permanent.
    /// </summary>
    public async Task<CaseFacts> GetAsync(Guid caseId, CancellationToken cancellationToken) =>
        await lookup.GetAsync(caseId, cancellationToken) ?? throw new CaseNotInIntakeException(caseId);

    public ValueTask DisposeAsync() => lookup.DisposeAsync();
}

/// <summary>
/// Intake has no such case (or only an anonymised one): nothing to classify, and asking again will not change that, so
/// the message goes to the _error queue at once for someone to look at.
/// </summary>
public sealed class CaseNotInIntakeException(Guid caseId)
    : Exception($"Intake has no facts of case {caseId}: it is unknown there or anonymised.");
