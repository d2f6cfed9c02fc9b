using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;

namespace Relief.IntegrationTests.Intake;

/// <summary>补充登记: a case completed later, on the version read, its history and Registry's register following it.</summary>
public sealed class CaseUpdateTests(WholeFlowFixture flow) : IClassFixture<WholeFlowFixture>
{
    private static Dictionary<string, object?> Record(string? name = null, string? idNumber = null) => new()
    {
        ["personName"] = name, ["sex"] = "Male", ["estimatedAge"] = 70, ["need"] = "Referral", ["idNumber"] = idNumber,
        ["situations"] = new[] { "wandering" },
    };

    private async Task<Guid> RegisterAsync(string? name = null, string? idNumber = null)
    {
        using var staff = await flow.Intake.ClientForAsync();
        var body = Record(name, idNumber);
        body["servicePointCode"] = TestUsers.YanhuPoint;
        body["countyCode"] = "140802";
        body["channel"] = "WalkIn";
        using var response = await staff.PostAsJsonAsync("/api/cases", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var caseId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(flow.Registry.DatabaseConnectionString,
            "select count(*) from person_cases where case_id = @caseId", new { caseId }) == 1, "the case is on the register");
        return caseId;
    }

    private async Task<JsonElement> PersonOfAsync(Guid caseId)
    {
        using var registry = await flow.Registry.ClientForAsync(TestUsers.CityAdministrator());
        var id = (await registry.GetFromJsonAsync<JsonElement>($"/api/persons?caseId={caseId}"))[0].GetProperty("id").GetGuid();
        return await registry.GetFromJsonAsync<JsonElement>($"/api/persons/{id}");
    }

    [Fact]
    public async Task An_unidentified_man_identified_later_is_completed_kept_in_the_history_and_on_the_register()
    {
        var caseId = await RegisterAsync();
        using var staff = await flow.Intake.ClientForAsync();
        var idNumber = WholeFlowFixture.NewIdNumber();
        var completed = Record("郑补登", idNumber);
        completed["version"] = 1;
        completed["situations"] = new[] { "wandering", "lost_documents" };

        using var response = await staff.PutAsJsonAsync($"/api/cases/{caseId}", completed);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, answer.GetProperty("version").GetInt32());
        Assert.Equal(["birthDate", "idNumber", "personName", "situations"], answer.GetProperty("changedFields").EnumerateArray().Select(f => f.GetString()).Order());
        var detail = await staff.GetFromJsonAsync<JsonElement>($"/api/cases/{caseId}");
        Assert.Equal("郑**", detail.GetProperty("personName").GetString());
        Assert.Equal(2, detail.GetProperty("version").GetInt32());
        var step = detail.GetProperty("history").EnumerateArray().Single(h => h.GetProperty("action").GetString() == "updated");
        Assert.DoesNotContain("郑补登", step.GetProperty("detail").ToString(), StringComparison.Ordinal);
        var staffName = await SharedAuthority.SignIn.NameAsync(TestUsers.PointStaff());
        Assert.Equal((staffName, TestUsers.YanhuPoint), (step.GetProperty("byName").GetString(), step.GetProperty("byOffice").GetString()));
        var published = await flow.Probe.WaitForAsync<CaseUpdated>(m => m.CaseId == caseId);
        Assert.Contains("idNumber", published.Message.ChangedFields);
        Assert.DoesNotContain(flow.Probe.RawMessages, raw => raw.Contains("郑补登", StringComparison.Ordinal) || raw.Contains(idNumber, StringComparison.Ordinal)
            || raw.Contains(staffName, StringComparison.Ordinal));

        // Registry reads the person again: the name and the document learnt later are on the register.
        await TestDatabase.EventuallyAsync(async () => (await PersonOfAsync(caseId)).GetProperty("person").GetProperty("idNumber").ValueKind == JsonValueKind.String,
            "the register knows the identity document");
        Assert.Equal("郑**", (await PersonOfAsync(caseId)).GetProperty("person").GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_form_keeps_the_document_on_record_and_reads_the_name_in_full_to_complete_it()
    {
        var idNumber = WholeFlowFixture.NewIdNumber();
        var caseId = await RegisterAsync("陈保留", idNumber);
        using var staff = await flow.Intake.ClientForAsync();

        var record = await staff.GetFromJsonAsync<JsonElement>($"/api/cases/{caseId}/record");
        Assert.Equal("陈保留", record.GetProperty("personName").GetString());
        Assert.Equal(idNumber[..6] + "********" + idNumber[14..], record.GetProperty("idNumberMasked").GetString());
        var completed = Record("陈保留", null);
        completed["version"] = record.GetProperty("version").GetInt32();
        completed["keepIdNumber"] = true;
        completed["place"] = "汽车站";
        using var response = await staff.PutAsJsonAsync($"/api/cases/{caseId}", completed);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["place"], (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("changedFields").EnumerateArray().Select(f => f.GetString()));
        using var admin = await flow.Intake.ClientForAsync(TestUsers.CityAdministrator());
        var revealed = await admin.GetFromJsonAsync<JsonElement>($"/api/cases/{caseId}/id-number?purpose=核对保留");
        Assert.Equal(idNumber, revealed.GetProperty("idNumber").GetString());
    }

    [Fact]
    public async Task A_change_on_a_stale_version_is_409_and_changes_nothing_and_a_bad_field_is_400()
    {
        var caseId = await RegisterAsync("王旧版");
        using var staff = await flow.Intake.ClientForAsync();
        var first = Record("王新版");
        first["version"] = 1;
        (await staff.PutAsJsonAsync($"/api/cases/{caseId}", first)).EnsureSuccessStatusCode();

        var stale = Record("王又一版");
        stale["version"] = 1;
        using var conflict = await staff.PutAsJsonAsync($"/api/cases/{caseId}", stale);
        var bad = Record("王坏号", "11010519491231002Y");
        bad["version"] = 2;
        using var badId = await staff.PutAsJsonAsync($"/api/cases/{caseId}", bad);
        var noVersion = Record("王无版");
        using var missingVersion = await staff.PutAsJsonAsync($"/api/cases/{caseId}", noVersion);

        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.Contains("idNumber", await badId.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, missingVersion.StatusCode);
        Assert.Equal("王新版", await TestDatabase.ScalarAsync<string>(flow.Intake.DatabaseConnectionString,
            "select person_name from cases where id = @caseId", new { caseId }));
    }

    [Fact]
    public async Task A_document_added_later_that_another_record_holds_makes_the_two_a_candidate_pair_not_a_merge()
    {
        var idNumber = WholeFlowFixture.NewIdNumber();
        var known = await RegisterAsync("冯已知", idNumber);
        var later = await RegisterAsync();
        using var staff = await flow.Intake.ClientForAsync();
        var completed = Record("冯后补", idNumber);
        completed["version"] = 1;

        (await staff.PutAsJsonAsync($"/api/cases/{later}", completed)).EnsureSuccessStatusCode();

        var holder = (await PersonOfAsync(known)).GetProperty("person").GetProperty("id").GetGuid();
        await TestDatabase.EventuallyAsync(async () => (await PersonOfAsync(later)).GetProperty("candidates").EnumerateArray()
            .Any(c => c.GetProperty("personId").GetGuid() == holder
                && c.GetProperty("reasons").EnumerateArray().Any(r => r.GetString() == "same_id_number")),
            "the two records are proposed as one person");
        Assert.NotEqual(holder, (await PersonOfAsync(later)).GetProperty("person").GetProperty("id").GetGuid());
    }
}
