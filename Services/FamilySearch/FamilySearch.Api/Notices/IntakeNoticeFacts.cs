using System.Net;

namespace Relief.FamilySearch.Notices;

/// <summary>
/// What a notice is drafted from, as Intake answers GET /internal/cases/{id}/notice-facts: the name if given, sex, age,
/// the identity's status, when and where the person was met, the situations that speak of health. Personal data: read
/// over HTTP with family search's own client token, never carried on the bus.
/// </summary>
public sealed record NoticeFacts(
    Guid CaseId,
    string CaseNumber,
    string CountyCode,
    string ServicePointCode,
    string? Name,
    string Sex,
    int? Age,
    bool AgeEstimated,
    string IdentityStatus,
    DateTimeOffset RegisteredAt,
    string? Place,
    string[] HealthSituations,
    bool DocumentGiven = false);

/// <summary>Intake's notice facts of a case, read with family search's own client token.</summary>
public sealed class IntakeNoticeFacts(HttpClient http)
{
    /// <summary>
    /// The facts as Intake has them now, or null when it has no such case (or only an anonymised one: no notice then).
    /// Intake unreachable or failing throws, and the message is retried.
    /// </summary>
    public async Task<NoticeFacts?> GetAsync(Guid caseId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri($"/internal/cases/{caseId}/notice-facts", UriKind.Relative), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<NoticeFacts>(cancellationToken)
            ?? throw new InvalidOperationException("Intake answered empty notice facts.");
    }
}
