using Relief.ServiceDefaults.Http;

namespace Relief.Registry.Persons;

/// <summary>
/// Intake's person of a case, read with Registry's own client token (see Intake's CasePersonEndpoint): the consumers'
/// lookups at one moment go to Intake in one call (see <see cref="BatchedLookup{TKey,TValue}"/>).
/// </summary>
public sealed class IntakeCases(IHttpClientFactory clients) : IAsyncDisposable
{
    private readonly BatchedLookup<Guid, CasePerson> lookup =
        BatchedLookup.OverHttp<Guid, CasePerson>(clients, nameof(IntakeCases), "/internal/cases/persons", person => person.CaseId);

    /// <summary>The person as registered, or null when the case has been anonymised (nothing left to tell).</summary>
    public Task<CasePerson?> GetPersonAsync(Guid caseId, CancellationToken cancellationToken) => lookup.GetAsync(caseId, cancellationToken);

    public ValueTask DisposeAsync() => lookup.DisposeAsync();
}

/// <summary>What Intake tells of a case's person: never the identity document itself, only its keyed hashes, masked.</summary>
public sealed record CasePerson(Guid CaseId, string? Name, string Sex, int? EstimatedAge, DateOnly? BirthDate,
    string? HouseholdRegion, string? IdNumberHash, string[] IdNumberHashes, string? IdNumberMasked);
