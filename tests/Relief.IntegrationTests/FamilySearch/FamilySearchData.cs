using System.Net.Http.Json;
using System.Text.Json;
using Relief.IntegrationTests.Infrastructure;

namespace Relief.IntegrationTests.FamilySearch;

/// <summary>
/// Notices and reports for the matching tests. Notices are written straight into the table (<see cref="FamilySearchRows"/>),
/// in the states and with the descriptions each test scores, rather than walked through the notices' lifecycle.
/// </summary>
internal static class FamilySearchData
{
    public sealed record NoticeSpec(
        string Sex = "male", int AgeLow = 68, int AgeHigh = 76, int? HeightCm = 166, string FoundOn = "2026-11-01",
        string FoundCounty = "140802", string? Accent = "山西口音", string Features = "左眉有痣，门牙缺失，右手缺一根手指",
        string Clothing = "灰色旧棉袄，黑布鞋", string FoundPlace = "运城火车站广场", string Status = "published",
        string StationCounty = "140802", string CountyCode = "140802");

    /// <summary>Inserts a notice (<see cref="FamilySearchRows.NoticeAsync"/>); returns its id and its case's id.</summary>
    public static async Task<(Guid NoticeId, Guid CaseId)> InsertNoticeAsync(FamilySearchFixture fixture, NoticeSpec spec, Guid? caseId = null)
    {
        var notice = await FamilySearchRows.NoticeAsync(fixture.Service, new FamilySearchRows.Notice
        {
            CaseId = caseId ?? Guid.NewGuid(), CaseNumber = $"{spec.CountyCode}-20261101-{Random.Shared.Next(1000, 9999)}",
            CountyCode = spec.CountyCode, StationCounty = spec.StationCounty, Status = spec.Status, Sex = spec.Sex,
            AgeLow = spec.AgeLow, AgeHigh = spec.AgeHigh, HeightCm = spec.HeightCm, Build = null, Ethnicity = null, Accent = spec.Accent,
            FoundOn = DateOnly.Parse(spec.FoundOn, System.Globalization.CultureInfo.InvariantCulture), FoundCounty = spec.FoundCounty,
            PublishedAt = spec.Status == "published" ? DateTimeOffset.UtcNow : null,
            Details = new
            {
                name = (string?)null, health = "血压偏高", mentalState = "记忆力差，说不清家在哪里", features = spec.Features,
                clothing = spec.Clothing, foundPlace = spec.FoundPlace, contact = "运城市救助管理站 0359-0000000",
            },
        });
        return (notice.Id, notice.CaseId);
    }

    /// <summary>The family of the seed's elderly man: he went missing in 1996 at 42, from 临猗县 (140821).</summary>
    public static object Report(string channel = "point", string? servicePointCode = "LY-LS-003", string phone = "13812345678",
        string features = "左边眉毛上有颗痣，缺了颗门牙，右手少一指", string sex = "male") => new
    {
        channel,
        servicePointCode,
        sought = new
        {
            name = "王建国", sex, ageThen = 42, yearLastSeen = 1996, lastSeenPlace = "临猗县城汽车站", lastSeenCounty = "140821",
            heightCm = 168, features, clothing = "蓝色中山装", accent = "山西话",
        },
        reporter = new { name = "王小红", relation = "女儿", phone },
    };

    public static async Task<(Guid Id, string ReportNumber)> CreateReportAsync(HttpClient client, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/family-search/reports", UriKind.Relative)) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetGuid(), created.GetProperty("reportNumber").GetString()!);
    }

    public static async Task<IReadOnlyList<JsonElement>> CandidatesAsync(HttpClient client, string side, Guid id)
    {
        using var response = await client.GetAsync(new Uri($"/api/family-search/{side}/{id}/candidates", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }

    /// <summary>Waits until the matching pass has proposed the pair, and returns the side's candidates then.</summary>
    public static async Task<IReadOnlyList<JsonElement>> WaitForCandidateAsync(HttpClient client, string side, Guid id, Guid noticeId, Guid reportId)
    {
        IReadOnlyList<JsonElement> candidates = [];
        await TestDatabase.EventuallyAsync(async () =>
        {
            candidates = await CandidatesAsync(client, side, id);
            return candidates.Any(c => c.GetProperty("noticeId").GetGuid() == noticeId && c.GetProperty("reportId").GetGuid() == reportId);
        }, $"the notice {noticeId} and the report {reportId} are proposed");
        return candidates;
    }

    /// <summary>Every open notice and report withdrawn or closed: each test starts with only its own (the class shares a database).</summary>
    public static Task CloseEverythingOpenAsync(FamilySearchFixture fixture) => TestDatabase.ExecuteAsync(fixture.Service.DatabaseConnectionString, """
        update notices set status = 'withdrawn', withdrawn_reason = 'other', withdrawn_at = now() where status <> 'withdrawn';
        update reports set status = 'closed', closed_at = now() where status = 'open';
        """);

    /// <summary>Waits until the matching pass has taken everything queued so far.</summary>
    public static Task QueueDrainedAsync(FamilySearchFixture fixture) => TestDatabase.EventuallyAsync(async () =>
        await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString, "select count(*) from match_queue") == 0,
        "the matching queue is drained");
}
