using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Relief.FamilySearch;
using Relief.IntegrationTests.Infrastructure;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.IntegrationTests.FamilySearch;

/// <summary>
/// Rows the photo and public tests stand on, written straight into the service's tables: the case copy (as
/// CaseRegistered would keep it) and notices in any status — the notices' lifecycle is built elsewhere, so these tests
/// insert the rows it would write, their details sealed with the service's own PersonalDataProtector.
/// </summary>
internal static class FamilySearchRows
{
    public static async Task<Guid> CaseAsync(ServiceHost<FamilySearchApi> service, string county, string point)
    {
        var caseId = Guid.NewGuid();
        await TestDatabase.ExecuteAsync(service.DatabaseConnectionString, """
            insert into cases (case_id, case_number, county_code, service_point_code, registered_at)
            values (@caseId, @number, @county, @point, now())
            """, new { caseId, number = $"{county}-20261130-{Random.Shared.Next(1000, 9999)}", county, point });
        return caseId;
    }

    public sealed record Notice
    {
        public Guid Id { get; init; } = Guid.NewGuid();
        public Guid CaseId { get; init; } = Guid.NewGuid();
        public string CaseNumber { get; init; } = $"140802-20261130-{Random.Shared.Next(1000, 9999)}";
        public string CountyCode { get; init; } = "140802";
        public string StationCounty { get; init; } = "140802";
        public string Status { get; init; } = "published";
        public string Sex { get; init; } = "male";
        public int? AgeLow { get; init; } = 65;
        public int? AgeHigh { get; init; } = 75;
        public int? HeightCm { get; init; } = 168;
        public string? Build { get; init; } = "slim";
        public string? Ethnicity { get; init; } = "汉族";
        public string? Accent { get; init; } = "山西口音";
        public DateOnly? FoundOn { get; init; } = new(2026, 11, 20);
        public string? FoundCounty { get; init; } = "140802";
        public DateTimeOffset? PublishedAt { get; init; } = DateTimeOffset.UtcNow;
        public Guid? PhotoId { get; init; }
        public object Details { get; init; } = new
        {
            name = "老王",
            health = "高血压",
            mentalState = "记忆力差，能简单交流",
            features = "左手背有疤痕",
            clothing = "蓝色棉袄，黑色裤子",
            foundPlace = "运城站广场",
            contact = "运城市救助管理站 0359-0000000",
        };
    }

    public static async Task<Notice> NoticeAsync(ServiceHost<FamilySearchApi> service, Notice notice)
    {
        var protector = service.Services.GetRequiredService<PersonalDataProtector>();
        var details = protector.Seal(JsonSerializer.Serialize(notice.Details, JsonSerializerOptions.Web), notice.Id);
        await TestDatabase.ExecuteAsync(service.DatabaseConnectionString, """
            insert into notices (id, case_id, case_number, referral_id, county_code, station_county, status, arrived_at, due_at,
                                 sex, age_low, age_high, height_cm, build, ethnicity, accent, found_on, found_county,
                                 details_key_id, details_sealed, photo_id, drafted_at, published_at, updated_at)
            values (@Id, @CaseId, @CaseNumber, @ReferralId, @CountyCode, @StationCounty, @Status, now(), now() + interval '24 hours',
                    @Sex, @AgeLow, @AgeHigh, @HeightCm, @Build, @Ethnicity, @Accent, @FoundOn, @FoundCounty,
                    @KeyId, @Sealed, @PhotoId, now(), @PublishedAt, now())
            """, new
        {
            notice.Id, notice.CaseId, notice.CaseNumber, ReferralId = Guid.NewGuid(), notice.CountyCode, notice.StationCounty, notice.Status, notice.Sex, notice.AgeLow,
            notice.AgeHigh, notice.HeightCm, notice.Build, notice.Ethnicity, notice.Accent,
            FoundOn = notice.FoundOn?.ToDateTime(TimeOnly.MinValue), notice.FoundCounty, details.KeyId, Sealed = details.Ciphertext,
            notice.PhotoId, notice.PublishedAt,
        });
        return notice;
    }
}
