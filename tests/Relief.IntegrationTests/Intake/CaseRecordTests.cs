using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;

namespace Relief.IntegrationTests.Intake;

/// <summary>The whole record the national rules ask for, the office's case list, and every kind of bad input.</summary>
public sealed class CaseRecordTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    private string Db => fixture.Service.DatabaseConnectionString;

    private static Dictionary<string, object?> ACase(string marker) => new()
    {
        ["servicePointCode"] = TestUsers.YanhuPoint, ["countyCode"] = "140802", ["channel"] = "WalkIn", ["need"] = "TravelVoucher",
        ["sex"] = "Male", ["estimatedAge"] = 58, ["circumstances"] = marker,
    };

    private async Task<long> CasesMarkedAsync(string marker) =>
        await TestDatabase.ScalarAsync<long>(Db, "select count(*) from cases where circumstances = @marker", new { marker });

    [Fact]
    public async Task The_whole_record_is_kept_contacts_and_notes_sealed_and_read_back_on_the_case()
    {
        using var staff = await fixture.Service.ClientForAsync();
        var marker = $"完整记录 {Guid.NewGuid():N}";
        var body = ACase(marker);
        body["personName"] = "赵全记";
        body["idNumber"] = "11010519491231002X";
        body["householdPlace"] = "北京市朝阳区";
        body["benefits"] = "dibao";
        body["situations"] = new[] { "lost_documents", "no_fare" };
        body["needs"] = new[] { "food", "travel_home" };
        body["phone"] = "139 1234 5678";
        body["relatives"] = new[] { new { name = "赵小红", relation = "女儿", phone = "13800001111", address = "北京市朝阳区某路 1 号" } };
        body["belongings"] = "旧手机一部";
        body["place"] = "运城北站候车厅";
        body["notes"] = "高血压，需按时服药";

        using var response = await staff.PostAsJsonAsync("/api/cases", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var detail = await staff.GetFromJsonAsync<JsonElement>($"/api/cases/{id}");
        Assert.Equal("1949-12-31", detail.GetProperty("birthDate").GetString());
        Assert.Equal(1949, detail.GetProperty("birthYear").GetInt32());
        Assert.Equal("北京市朝阳区", detail.GetProperty("householdPlace").GetString());
        Assert.Equal("dibao", detail.GetProperty("benefits").GetString());
        Assert.Equal(["lost_documents", "no_fare"], detail.GetProperty("situations").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["food", "travel_home"], detail.GetProperty("needs").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("139 1234 5678", detail.GetProperty("contacts").GetProperty("phone").GetString());
        Assert.Equal("赵小红", detail.GetProperty("contacts").GetProperty("relatives")[0].GetProperty("name").GetString());
        Assert.Equal(2, detail.GetProperty("contactsCount").GetInt32());
        Assert.Equal("高血压，需按时服药", detail.GetProperty("notes").GetString());
        Assert.Equal("unconfirmed", detail.GetProperty("identityStatus").GetString());
        // At rest, the contacts and the notes are ciphertext: no column of the row holds them readable.
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(Db,
            "select count(*) from cases c where c.id = @id and (c::text like '%13800001111%' or c::text like '%高血压%' or c::text like '%赵小红%')", new { id }));
    }

    [Theory]
    [InlineData("situations", """["lost_documents","flying"]""", "each one of")]
    [InlineData("needs", """["champagne"]""", "each one of")]
    [InlineData("benefits", "\"both\"", "one of")]
    [InlineData("phone", "\"call me maybe\"", "digits")]
    [InlineData("birthDate", "\"1950-01-01\"", "does not match the ID number")]
    [InlineData("idNumber", "\"11010519491231002Y\"", "check")]
    [InlineData("estimatedAge", "130", "between 0 and 120")]
    public async Task A_wrong_value_is_a_400_naming_the_field_in_Chinese_and_English_and_nothing_is_saved(string field, string json, string english)
    {
        using var staff = await fixture.Service.ClientForAsync();
        var marker = $"坏值 {Guid.NewGuid():N}";
        var body = JsonSerializer.Serialize(ACase(marker))[..^1]
                   + (field == "birthDate" ? ",\"idNumber\":\"11010519491231002X\"" : "") + $",\"{field}\":{json}}}";

        using var response = await staff.PostAsync("/api/cases", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var reason = problem.GetProperty("errors").EnumerateObject().Single(e => e.Name.StartsWith(field, StringComparison.OrdinalIgnoreCase)).Value[0].GetString()!;
        Assert.Contains(english, reason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(" / ", reason, StringComparison.Ordinal);
        Assert.True(reason.Any(c => c >= 0x4E00 && c <= 0x9FFF), $"a Chinese reason too: {reason}");
        Assert.Equal(0, await CasesMarkedAsync(marker));
    }

    public static TheoryData<string, string> BadBodies(string marker) => new()
    {
        { "malformed JSON", "{\"servicePointCode\": \"YH-CC-001\", " },
        { "not an object", "[1,2,3]" },
        { "wrong type", JsonSerializer.Serialize(ACase(marker))[..^1] + ",\"estimatedAge\":\"old\"}" },
        { "unknown enum", JsonSerializer.Serialize(ACase(marker))[..^1] + ",\"sex\":\"Robot\"}" },
        { "huge string", JsonSerializer.Serialize(ACase(marker))[..^1] + $",\"personName\":\"{new string('长', 100_000)}\"}}" },
        { "control character", JsonSerializer.Serialize(ACase(marker))[..^1] + ",\"place\":\"站台\\u0007\"}" },
        { "unknown field", JsonSerializer.Serialize(ACase(marker))[..^1] + ",\"isAdmin\":true}" },
        { "relative without name or phone", JsonSerializer.Serialize(ACase(marker))[..^1] + ",\"relatives\":[{\"relation\":\"儿子\"}]}" },
        { "too many relatives", JsonSerializer.Serialize(ACase(marker))[..^1] + ",\"relatives\":" + JsonSerializer.Serialize(Enumerable.Range(0, 6).Select(i => new { name = $"亲属{i}" })) + "}" },
    };

    [Fact]
    public async Task Every_bad_body_is_a_4xx_problem_and_stores_nothing_and_injection_is_stored_as_text()
    {
        using var staff = await fixture.Service.ClientForAsync();
        var marker = $"坏请求 {Guid.NewGuid():N}";
        foreach (var (what, body) in BadBodies(marker).Select(row => ((string)row[0], (string)row[1])))
        {
            using var response = await staff.PostAsync("/api/cases", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{what}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(0, await CasesMarkedAsync(marker));

        // SQL and script are only text: stored as typed, harmless.
        var injected = ACase(marker);
        injected["personName"] = "'); drop table cases; --";
        injected["place"] = "<script>alert(1)</script>";
        using var stored = await staff.PostAsJsonAsync("/api/cases", injected);
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        Assert.Equal(1, await CasesMarkedAsync(marker));
        Assert.Equal("<script>alert(1)</script>", await TestDatabase.ScalarAsync<string>(Db, "select place from cases where circumstances = @marker", new { marker }));
    }

    [Fact]
    public async Task The_list_filters_by_situation_and_name_fragment_and_pages_through_every_case_once()
    {
        using var staff = await fixture.Service.ClientForAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            var body = ACase($"列表 {tag} {i}");
            body["personName"] = $"钱{tag}{i}";
            body["situations"] = i % 2 == 0 ? new[] { "minor" } : new[] { "homeless" };
            using var response = await staff.PostAsJsonAsync("/api/cases", body);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }

        var seen = new List<Guid>();
        string? next = null;
        do
        {
            var page = await staff.GetFromJsonAsync<JsonElement>($"/api/cases?q={tag}&limit=3" + (next is null ? "" : $"&after={next}"));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()));
            next = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        while (next is not null);

        Assert.Equal(ids.AsEnumerable().Reverse(), seen);
        var minors = await staff.GetFromJsonAsync<JsonElement>($"/api/cases?q={tag}&situation=minor");
        Assert.Equal(4, minors.GetProperty("items").GetArrayLength());
        Assert.All(minors.GetProperty("items").EnumerateArray(), c => Assert.StartsWith("钱", c.GetProperty("personName").GetString(), StringComparison.Ordinal));

        using var bad = await staff.GetAsync("/api/cases?status=lost&after=not-a-marker");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("status", out _) && errors.TryGetProperty("after", out _), errors.ToString());

        // Another point's staff see none of them.
        using var linyi = await fixture.Service.ClientForAsync(TestUsers.PointStaff(TestUsers.LinyiPoint, "140821"));
        Assert.Equal(0, (await linyi.GetFromJsonAsync<JsonElement>($"/api/cases?q={tag}")).GetProperty("items").GetArrayLength());
    }
}
