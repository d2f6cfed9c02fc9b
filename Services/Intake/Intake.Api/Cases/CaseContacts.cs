namespace Relief.Intake.Cases;

/// <summary>
/// Where a person and their family can be reached: sealed together at rest (they say where someone can be found), and
/// shown only on the case's page to those who read the case.
/// </summary>
public sealed record CaseContacts(string? Phone, IReadOnlyList<RelativeContact> Relatives)
{
    public static CaseContacts? From(ICaseRecord request)
    {
        var phone = string.IsNullOrWhiteSpace(request.Phone) ? null : request.Phone.Trim();
        var relatives = request.Relatives?
            .Where(r => !string.IsNullOrWhiteSpace(r.Name) || !string.IsNullOrWhiteSpace(r.Phone))
            .Select(r => new RelativeContact(r.Name?.Trim(), r.Relation?.Trim(), r.Phone?.Trim(), r.Address?.Trim()))
            .ToList() ?? [];
        return phone is null && relatives.Count == 0 ? null : new CaseContacts(phone, relatives);
    }
}
