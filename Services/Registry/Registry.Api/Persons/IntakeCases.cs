using System.Net;

namespace Relief.Registry.Persons;

/// <summary>Intake's person of a case, read with Registry's own client token (see Intake's CasePersonEndpoint).</summary>
public sealed class IntakeCases(HttpClient http)
{
    /// <summary>The person as registered, or null when the case has been anonymised (nothing left to tell).</summary>
    public async Task<CasePerson?> GetPersonAsync(Guid caseId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri($"/internal/cases/{caseId}/person", UriKind.Relative), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<CasePerson>(cancellationToken)
            ?? throw new InvalidOperationException("Intake answered an empty person.");
    }
}

/// <summary>What Intake tells of a case's person: never the identity document itself, only its keyed hashes, masked.</summary>
public sealed record CasePerson(Guid CaseId, string? Name, string Sex, int? EstimatedAge, DateOnly? BirthDate,
    string? HouseholdRegion, string? IdNumberHash, string[] IdNumberHashes, string? IdNumberMasked);
