using System.Text.Json;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.FamilySearch.Notices;

/// <summary>
/// The part of a notice that is personal data until it is published — name, health, intellectual and mental state,
/// features, clothing, the place found, the station's contact — kept as one JSON document sealed with the service's key
/// (owner = the notice's id).
/// </summary>
public sealed record NoticeDetails(
    string? Name = null,
    string? Health = null,
    string? MentalState = null,
    string? Features = null,
    string? Clothing = null,
    string? FoundPlace = null,
    string? Contact = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public SealedValue Seal(PersonalDataProtector protector, Guid noticeId) =>
        protector.Seal(JsonSerializer.Serialize(this, Json), noticeId);

    public static NoticeDetails Open(PersonalDataProtector protector, string? keyId, byte[]? sealedDetails, Guid noticeId) =>
        sealedDetails is null || keyId is null
            ? new NoticeDetails()
            : JsonSerializer.Deserialize<NoticeDetails>(protector.Open(new SealedValue(keyId, sealedDetails), noticeId), Json) ?? new NoticeDetails();
}
