using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.FamilySearch;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;

namespace Relief.IntegrationTests.FamilySearch;

/// <summary>
/// The public notices (issue 13): anyone may read them without signing in; only published notices, only the notice's
/// public fields; the national site's filters; a withdrawn notice gone at once. The notices are inserted as rows (the
/// lifecycle that writes them is built elsewhere), their details sealed with the service's key.
/// </summary>
public sealed class PublicNoticeTests(FamilySearchFixture fixture) : IClassFixture<FamilySearchFixture>
{
    /// <summary>PublicNotice, exactly: any other property in an answer fails the test.</summary>
    private static readonly string[] AllowedFields =
    [
        "id", "name", "sex", "ageLow", "ageHigh", "heightCm", "build", "ethnicity", "accent", "health", "mentalState",
        "features", "clothing", "foundOn", "foundPlace", "foundCounty", "contact", "publishedAt", "hasPhoto",
    ];

    private static async Task<JsonElement> ReadAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<List<Guid>> IdsAsync(HttpClient client, string query) =>
        [.. (await ReadAsync(client, "/api/public/notices?" + query)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid())];

    private static void OnlyAllowedFields(JsonElement notice) =>
        Assert.Equal(AllowedFields.Order(StringComparer.Ordinal), notice.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

    [Fact]
    public async Task A_published_notice_is_read_anonymously_with_only_the_public_fields_and_no_case_detail()
    {
        var notice = await FamilySearchRows.NoticeAsync(fixture.Service, new FamilySearchRows.Notice { FoundCounty = "930101" });
        using var anonymous = fixture.Service.CreateClient();

        using var response = await anonymous.GetAsync(new Uri($"/api/public/notices/{notice.Id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var raw = await response.Content.ReadAsStringAsync();
        var one = JsonDocument.Parse(raw).RootElement;
        OnlyAllowedFields(one);
        Assert.Equal("老王", one.GetProperty("name").GetString());
        Assert.Equal("左手背有疤痕", one.GetProperty("features").GetString());
        Assert.Equal("运城站广场", one.GetProperty("foundPlace").GetString());
        Assert.Equal("2026-11-20", one.GetProperty("foundOn").GetString());
        Assert.False(one.GetProperty("hasPhoto").GetBoolean());
        Assert.DoesNotContain(notice.CaseNumber, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(notice.CaseId.ToString(), raw, StringComparison.OrdinalIgnoreCase);

        var page = await ReadAsync(anonymous, "/api/public/notices?region=930101");
        Assert.Equal(["items", "next"], page.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        OnlyAllowedFields(item);
        Assert.Equal(notice.Id, item.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Only_published_notices_are_listed_and_the_national_sites_filters_select_them()
    {
        var a = await FamilySearchRows.NoticeAsync(fixture.Service, new FamilySearchRows.Notice
        {
            Sex = "male", Ethnicity = "汉族", Accent = "山西口音", AgeLow = 60, AgeHigh = 70, HeightCm = 165, Build = "slim",
            FoundCounty = "910101", FoundOn = new(2026, 11, 1),
        });
        var b = await FamilySearchRows.NoticeAsync(fixture.Service, new FamilySearchRows.Notice
        {
            Sex = "female", Ethnicity = "回族", Accent = "河南口音", AgeLow = 30, AgeHigh = 40, HeightCm = 155, Build = "medium",
            FoundCounty = "910202", FoundOn = new(2026, 10, 15),
        });
        foreach (var status in new[] { "draft", "in_review", "withdrawn" })
        {
            await FamilySearchRows.NoticeAsync(fixture.Service, new FamilySearchRows.Notice
            {
                Status = status, FoundCounty = "910101", PublishedAt = status == "withdrawn" ? DateTimeOffset.UtcNow : null,
            });
        }

        using var anonymous = fixture.Service.CreateClient();
        Assert.Equal(new[] { a.Id, b.Id }.Order(), (await IdsAsync(anonymous, "region=91")).Order());
        Assert.Equal([a.Id], await IdsAsync(anonymous, "region=91&sex=male"));
        Assert.Equal([b.Id], await IdsAsync(anonymous, "region=91&ethnicity=回族"));
        Assert.Equal([a.Id], await IdsAsync(anonymous, "region=91&accent=山西"));
        Assert.Equal([a.Id], await IdsAsync(anonymous, "region=91&ageFrom=65&ageTo=80"));
        Assert.Equal([b.Id], await IdsAsync(anonymous, "region=91&ageTo=35"));
        Assert.Empty(await IdsAsync(anonymous, "region=91&ageFrom=45&ageTo=55"));
        Assert.Equal([a.Id], await IdsAsync(anonymous, "region=91&heightFrom=160&heightTo=170"));
        Assert.Equal([b.Id], await IdsAsync(anonymous, "region=91&build=medium"));
        Assert.Equal([a.Id], await IdsAsync(anonymous, "region=9101"));
        Assert.Equal([b.Id], await IdsAsync(anonymous, "region=910202"));
        Assert.Equal([a.Id], await IdsAsync(anonymous, "region=91&foundFrom=2026-10-20"));
        Assert.Equal([b.Id], await IdsAsync(anonymous, "region=91&foundFrom=2026-10-01&foundTo=2026-10-31"));
    }

    [Fact]
    public async Task Bad_filters_are_refused_naming_the_field()
    {
        using var anonymous = fixture.Service.CreateClient();
        foreach (var (query, field) in new[]
        {
            ("sex=x", "sex"), ("build=round", "build"), ("region=123", "region"), ("region=14ab", "region"), ("ageFrom=-1", "ageFrom"),
            ("ageFrom=50&ageTo=40", "ageTo"), ("foundFrom=2026/11/01", "foundFrom"), ("limit=0", "limit"), ("after=nonsense", "after"),
        })
        {
            using var response = await anonymous.GetAsync(new Uri("/api/public/notices?" + query, UriKind.Relative));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out _), $"{query} names {field}");
        }
    }

    [Fact]
    public async Task Pages_follow_each_other_newest_first_without_gaps_or_repeats()
    {
        var at = DateTimeOffset.UtcNow;
        var notices = new List<FamilySearchRows.Notice>();
        foreach (var minutes in new[] { 0, 1, 1, 1, 2 })
        {
            notices.Add(await FamilySearchRows.NoticeAsync(fixture.Service,
                new FamilySearchRows.Notice { FoundCounty = "940101", PublishedAt = at.AddMinutes(-minutes) }));
        }

        using var anonymous = fixture.Service.CreateClient();
        var seen = new List<Guid>();
        string? after = null;
        do
        {
            var page = await ReadAsync(anonymous, "/api/public/notices?region=94&limit=2" + (after is null ? "" : "&after=" + after));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
            after = page.GetProperty("next").GetString();
        }
        while (after is not null);

        var expected = notices.OrderByDescending(n => n.PublishedAt!.Value.ToUnixTimeMilliseconds()).ThenBy(n => n.Id.ToString(), StringComparer.Ordinal).Select(n => n.Id);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task A_withdrawn_notice_and_its_photo_disappear_at_once()
    {
        var point = $"FP-{Random.Shared.Next(100000, 999999)}";
        var caseId = await FamilySearchRows.CaseAsync(fixture.Service, "140821", point);
        using var pointStaff = await fixture.Service.ClientForAsync(TestUsers.PointStaff(point, "140821"));
        var photoId = await PhotoTests.UploadedAsync(await PhotoTests.UploadAsync(pointStaff, caseId, TestImages.RedBlueJpeg(), "a.jpg", "image/jpeg"));
        var notice = await FamilySearchRows.NoticeAsync(fixture.Service, new FamilySearchRows.Notice { CaseId = caseId, PhotoId = photoId, FoundCounty = "920101" });
        // Another case's draft with its own photo (a case has one open notice at a time).
        var draftCaseId = await FamilySearchRows.CaseAsync(fixture.Service, "140821", point);
        var draftPhotoId = await PhotoTests.UploadedAsync(await PhotoTests.UploadAsync(pointStaff, draftCaseId, TestImages.RedBlueJpeg(), "b.jpg", "image/jpeg"));
        var draft = await FamilySearchRows.NoticeAsync(fixture.Service,
            new FamilySearchRows.Notice { CaseId = draftCaseId, PhotoId = draftPhotoId, Status = "draft", PublishedAt = null, FoundCounty = "920101" });
        using var anonymous = fixture.Service.CreateClient();

        Assert.True((await ReadAsync(anonymous, $"/api/public/notices/{notice.Id}")).GetProperty("hasPhoto").GetBoolean());
        using (var photo = await anonymous.GetAsync(new Uri($"/api/public/notices/{notice.Id}/photo", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, photo.StatusCode);
            Assert.Equal("image/jpeg", photo.Content.Headers.ContentType?.MediaType);
            Assert.Contains("no-store", photo.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        }

        // Before publication the same photo is not public.
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(new Uri($"/api/public/notices/{draft.Id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(new Uri($"/api/public/notices/{draft.Id}/photo", UriKind.Relative))).StatusCode);

        await TestDatabase.ExecuteAsync(fixture.Service.DatabaseConnectionString,
            "update notices set status = 'withdrawn', withdrawn_at = now(), withdrawn_reason = 'reunited' where id = @Id", new { notice.Id });

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(new Uri($"/api/public/notices/{notice.Id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(new Uri($"/api/public/notices/{notice.Id}/photo", UriKind.Relative))).StatusCode);
        Assert.Empty(await IdsAsync(anonymous, "region=920101"));
    }

    [Fact]
    public async Task A_client_over_its_budget_is_told_429_with_problem_details()
    {
        await using var limited = new ServiceHost<FamilySearchApi>("familysearchdb", TestInfrastructure.NewName("familysearchdb"),
            fixture.VirtualHost.AmqpUri, new Dictionary<string, string>
            {
                ["PublicNotices:PermitsPerMinute"] = "3",
                // As behind the portal: the client's address is the proxy's header.
                ["PublicNotices:ClientAddressHeader"] = "X-Forwarded-For",
            });
        using var anonymous = limited.CreateClient();
        anonymous.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7, 10.0.0.2");
        for (var i = 0; i < 3; i++)
        {
            using var allowed = await anonymous.GetAsync(new Uri("/api/public/notices", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await anonymous.GetAsync(new Uri($"/api/public/notices/{Guid.NewGuid()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        Assert.NotNull(refused.Headers.RetryAfter);
        // Another client has a budget of its own.
        using var another = limited.CreateClient();
        another.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.20");
        Assert.Equal(HttpStatusCode.OK, (await another.GetAsync(new Uri("/api/public/notices", UriKind.Relative))).StatusCode);
        // Staff's own endpoints are not on this budget.
        using var staff = await limited.ClientForAsync(TestUsers.CityAdministrator());
        Assert.Equal(HttpStatusCode.NotFound, (await staff.GetAsync(new Uri($"/api/family-search/photos/{Guid.NewGuid()}", UriKind.Relative))).StatusCode);
    }
}
