using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;

namespace Relief.IntegrationTests.Registry;

/// <summary>
/// The register of persons through the whole flow: cases registered at Intake, their persons read by Registry from
/// Intake, linked exactly on the identity document or proposed as candidates for staff to confirm or reject.
/// </summary>
public sealed class PersonRegisterTests(WholeFlowFixture flow) : IClassFixture<WholeFlowFixture>
{
    private static readonly (string Point, string County) Yanhu = (TestUsers.YanhuPoint, "140802");
    private static readonly (string Point, string County) Linyi = (TestUsers.LinyiPoint, "140821");

    /// <summary>A name no other test uses, so candidates come only from this test's cases.</summary>
    private static string NewName() => "测" + string.Concat(Guid.NewGuid().ToByteArray().Take(3).Select(b => (char)(0x4E00 + b * 37)));

    private async Task<Guid> RegisterAsync((string Point, string County) at, string name, string? idNumber = null, int age = 70,
        string need = "Food")
    {
        using var admin = await flow.Intake.ClientForAsync(TestUsers.CityAdministrator());
        using var response = await admin.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
        {
            servicePointCode = at.Point, countyCode = at.County, channel = "WalkIn", personName = name, idNumber,
            sex = "Male", estimatedAge = age, need,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var caseId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(flow.Registry.DatabaseConnectionString,
            "select count(*) from person_cases where case_id = @caseId", new { caseId }) == 1, "Registry puts the case on the register");
        return caseId;
    }

    /// <summary>A valid ID number of 盐湖区 whose birth date makes the holder <paramref name="age"/> today.</summary>
    private static string IdNumberOfSomeoneAged(int age)
    {
        var first17 = $"140802{DateTime.UtcNow.AddYears(-age).AddDays(-100):yyyyMMdd}{Random.Shared.Next(0, 1000):D3}";
        return first17 + Relief.ServiceDefaults.PersonalData.ResidentIdNumber.CheckCharacter(first17);
    }

    private async Task<HttpClient> OfficerAsync() => await flow.Registry.ClientForAsync(TestUsers.CityAdministrator());

    private async Task<Guid> PersonOfAsync(Guid caseId)
    {
        using var client = await OfficerAsync();
        return (await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/persons?caseId={caseId}", UriKind.Relative)))[0].GetProperty("id").GetGuid();
    }

    private async Task<JsonElement> DetailAsync(Guid personId)
    {
        using var client = await OfficerAsync();
        return await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/persons/{personId}", UriKind.Relative));
    }

    private static Guid[] CandidateIds(JsonElement detail) =>
        detail.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("personId").GetGuid()).ToArray();

    [Fact]
    public async Task Cases_with_the_same_identity_document_at_different_points_and_days_link_to_one_person_with_every_case()
    {
        var idNumber = WholeFlowFixture.NewIdNumber();
        var name = NewName();

        var first = await RegisterAsync(Yanhu, name, idNumber, need: "TravelVoucher");
        var second = await RegisterAsync(Linyi, name, idNumber.ToLowerInvariant(), need: "TravelVoucher");
        var third = await RegisterAsync(Linyi, name, idNumber, need: "TravelVoucher");

        var person = await PersonOfAsync(first);
        Assert.Equal(person, await PersonOfAsync(second));
        Assert.Equal(person, await PersonOfAsync(third));
        var detail = await DetailAsync(person);
        Assert.Equal([first, second, third], detail.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("caseId").GetGuid()).Order());
        Assert.Equal(["id_number", "id_number", "new"], detail.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("linkedBy").GetString()).Order());
        // Three travel vouchers in a month is the signal staff should see.
        Assert.Equal(3, detail.GetProperty("signals").GetProperty("travelVouchersLast30Days").GetInt32());
        // Shown masked, never whole; the birth date only as a year.
        Assert.Equal(name[0] + new string('*', name.Length - 1), detail.GetProperty("person").GetProperty("name").GetString());
        Assert.Equal(idNumber[..6] + "********" + idNumber[14..], detail.GetProperty("person").GetProperty("idNumber").GetString());
        Assert.Equal(int.Parse(idNumber[6..10], System.Globalization.CultureInfo.InvariantCulture), detail.GetProperty("person").GetProperty("birthYear").GetInt32());
        Assert.Equal("140802", detail.GetProperty("person").GetProperty("householdRegion").GetString());
        Assert.Empty(detail.GetProperty("candidates").EnumerateArray());
        // Registry keeps no identity document: only its keyed hash and the masked form.
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(flow.Registry.DatabaseConnectionString,
            "select count(*) from person_cases where id_number_masked = @idNumber or name = @idNumber", new { idNumber }));
    }

    [Fact]
    public async Task Lookalike_records_are_candidates_staff_confirm_into_one_person_or_reject_for_good()
    {
        var name = NewName();
        var a = await PersonOfAsync(await RegisterAsync(Yanhu, name, age: 72));
        var b = await PersonOfAsync(await RegisterAsync(Yanhu, name, age: 71));
        // Same name, but thirty years apart: not a candidate.
        var young = await PersonOfAsync(await RegisterAsync(Yanhu, name, age: 41));

        Assert.NotEqual(a, b);
        var detailA = await DetailAsync(a);
        Assert.Equal([b], CandidateIds(detailA));
        var candidate = detailA.GetProperty("candidates")[0];
        Assert.Contains("same_name", candidate.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.True(candidate.GetProperty("score").GetDecimal() >= 0.6m);
        Assert.DoesNotContain(young, CandidateIds(await DetailAsync(b)));

        using var officer = await OfficerAsync();
        using (var confirmed = await officer.PostAsync(new Uri($"/api/persons/{b}/candidates/{a}/confirm", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            Assert.Equal(a, (await confirmed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid());
        }

        var merged = await DetailAsync(a);
        Assert.Equal(2, merged.GetProperty("cases").GetArrayLength());
        Assert.Equal(a, (await DetailAsync(b)).GetProperty("person").GetProperty("mergedInto").GetGuid());
        // Decided once: a second confirmation of the same pair is a conflict, not a second merge.
        using (var again = await officer.PostAsync(new Uri($"/api/persons/{b}/candidates/{a}/confirm", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        // A fourth lookalike: proposed against the merged record; rejected, it is never proposed again.
        var c = await PersonOfAsync(await RegisterAsync(Linyi, name, age: 73));
        Assert.Equal([a], CandidateIds(await DetailAsync(c)));
        using (var rejected = await officer.PostAsync(new Uri($"/api/persons/{c}/candidates/{a}/reject", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        }

        var afterRejection = await DetailAsync(a);
        Assert.Empty(CandidateIds(afterRejection));
        Assert.Contains(afterRejection.GetProperty("keptApart").EnumerateArray(),
            k => k.GetProperty("personId").GetGuid() == c && k.GetProperty("decision").GetString() == "rejected");
        using var confirmRejected = await officer.PostAsync(new Uri($"/api/persons/{c}/candidates/{a}/confirm", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, confirmRejected.StatusCode);
    }

    [Fact]
    public async Task Two_lookalikes_registered_at_the_same_moment_are_still_proposed_as_one_person()
    {
        var name = NewName();

        var cases = await Task.WhenAll(RegisterAsync(Yanhu, name, age: 66), RegisterAsync(Linyi, name, age: 67));

        var (a, b) = (await PersonOfAsync(cases[0]), await PersonOfAsync(cases[1]));
        Assert.NotEqual(a, b);
        Assert.Equal([b], CandidateIds(await DetailAsync(a)));
    }

    [Fact]
    public async Task A_wrong_link_is_split_off_and_neither_later_cases_nor_candidates_merge_it_back()
    {
        var name = NewName();
        var idNumber = IdNumberOfSomeoneAged(70);
        var first = await RegisterAsync(Yanhu, name, idNumber);
        // A relative registered on the same card by mistake.
        var wrong = await RegisterAsync(Yanhu, name, idNumber);
        var person = await PersonOfAsync(first);
        Assert.Equal(person, await PersonOfAsync(wrong));

        using var officer = await OfficerAsync();
        using (var refused = await officer.PostAsJsonAsync(new Uri($"/api/persons/{person}/split", UriKind.Relative), new { caseIds = new[] { first, wrong } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("caseIds", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var split = await officer.PostAsJsonAsync(new Uri($"/api/persons/{person}/split", UriKind.Relative), new { caseIds = new[] { wrong } });
        Assert.Equal(HttpStatusCode.OK, split.StatusCode);
        var splitOff = (await split.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("newPersonId").GetGuid();
        Assert.Equal(splitOff, await PersonOfAsync(wrong));
        Assert.Equal(person, await PersonOfAsync(first));

        // The card's next case links to the record that kept it; a lookalike is proposed against both, but the split pair
        // is never proposed against each other.
        var later = await RegisterAsync(Linyi, name, idNumber);
        Assert.Equal(person, await PersonOfAsync(later));
        var lookalike = await PersonOfAsync(await RegisterAsync(Yanhu, name));
        var detail = await DetailAsync(person);
        Assert.DoesNotContain(splitOff, CandidateIds(detail));
        Assert.Contains(detail.GetProperty("keptApart").EnumerateArray(), k => k.GetProperty("personId").GetGuid() == splitOff
            && k.GetProperty("decision").GetString() == "split");
        Assert.DoesNotContain(person, CandidateIds(await DetailAsync(splitOff)));
        Assert.Contains(splitOff, CandidateIds(await DetailAsync(lookalike)));
        Assert.Equal(2, (await DetailAsync(person)).GetProperty("cases").GetArrayLength());
    }

    [Fact]
    public async Task Point_staff_see_a_person_with_a_case_at_their_point_and_may_not_decide_and_another_point_sees_nothing()
    {
        var name = NewName();
        var person = await PersonOfAsync(await RegisterAsync(Yanhu, name));
        var other = await PersonOfAsync(await RegisterAsync(Yanhu, name));

        using var yanhuStaff = await flow.Registry.ClientForAsync(TestUsers.PointStaff());
        using var linyiStaff = await flow.Registry.ClientForAsync(TestUsers.PointStaff(TestUsers.LinyiPoint, "140821"));
        using var linyiOfficer = await flow.Registry.ClientForAsync(TestUsers.CountyOfficer("140821"));

        Assert.Equal(HttpStatusCode.OK, (await yanhuStaff.GetAsync(new Uri($"/api/persons/{person}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await linyiStaff.GetAsync(new Uri($"/api/persons/{person}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await yanhuStaff.PostAsync(new Uri($"/api/persons/{person}/candidates/{other}/confirm", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await linyiOfficer.PostAsync(new Uri($"/api/persons/{person}/candidates/{other}/confirm", UriKind.Relative), null)).StatusCode);
        Assert.Contains(other, CandidateIds(await DetailAsync(person)));
    }
}
