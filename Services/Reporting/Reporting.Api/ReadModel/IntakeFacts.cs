using Relief.ServiceDefaults.Http;

namespace Relief.Reporting.ReadModel;

/// <summary>
/// What the read model keeps of Intake's facts of a case (POST /internal/cases/facts): codes, an age (kept only as a
/// band) and the time of the read — never a name or a number. Situations are health data: read over HTTP with
/// Reporting's own client token, never from the bus. The fields are a subset of Intake's answer (the rest is ignored).
/// </summary>
public sealed record CaseFactsView(
    Guid CaseId,
    string CaseNumber,
    string CountyCode,
    string ServicePointCode,
    string Channel,
    string IdentityStatus,
    int? Age,
    string[] Situations,
    DateTimeOffset RegisteredAt,
    DateTimeOffset AsOf,
    string Need = "");

/// <summary>
/// Intake's facts of a case, read with Reporting's own client token (as Referral's classification reads them): the
/// consumers' lookups at one moment go to Intake in one call (see <see cref="BatchedLookup{TKey,TValue}"/>).
/// </summary>
public sealed class IntakeFacts(IHttpClientFactory clients) : IAsyncDisposable
{
    private readonly BatchedLookup<Guid, CaseFactsView> lookup =
        BatchedLookup.OverHttp<Guid, CaseFactsView>(clients, nameof(IntakeFacts), "/internal/cases/facts", fact => fact.CaseId);

    /// <summary>
    /// The facts as Intake has them now, or null when Intake has no such case (or only an anonymised one): the case is
    /// still counted from its events, without situations. Intake unreachable or failing throws (the message is retried).
    /// </summary>
    public Task<CaseFactsView?> GetAsync(Guid caseId, CancellationToken cancellationToken) => lookup.GetAsync(caseId, cancellationToken);

    public ValueTask DisposeAsync() => lookup.DisposeAsync();
}
