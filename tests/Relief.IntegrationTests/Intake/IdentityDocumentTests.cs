using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.Intake;
using Relief.Intake.Cases;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;

namespace Relief.IntegrationTests.Intake;

public sealed class IdentityDocumentTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    private static object CaseWith(string idNumber) => new
    {
        servicePointCode = TestUsers.YanhuPoint,
        countyCode = "140802",
        channel = "WalkIn",
        personName = "李四",
        idNumber,
        need = "TravelVoucher",
    };

    private static async Task<Guid> RegisterAsync(ServiceHost<IntakeApi> intake, string idNumber)
    {
        using var staff = await intake.ClientForAsync(TestUsers.PointStaff());
        var response = await staff.PostCaseAsync(CaseWith(idNumber));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RegisteredCase>())!.Id;
    }

    [Fact]
    public async Task An_ID_number_is_shown_masked_and_revealed_only_with_a_purpose_that_is_audited()
    {
        var caseId = await RegisterAsync(fixture.Service, "11010519491231002x");
        using var staff = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        using var officer = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer());
        using var auditor = await fixture.Service.ClientForAsync(TestUsers.Auditor());

        var shown = await staff.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{caseId}", UriKind.Relative));
        Assert.Equal("110105********002X", shown.GetProperty("idNumber").GetString());

        var withoutPurpose = await officer.GetAsync(new Uri($"/api/cases/{caseId}/id-number", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, withoutPurpose.StatusCode);
        Assert.True((await withoutPurpose.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("purpose", out _));

        var byStaff = await staff.GetAsync(new Uri($"/api/cases/{caseId}/id-number?purpose=curious", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, byStaff.StatusCode);

        var revealed = await officer.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{caseId}/id-number?purpose=family%20search", UriKind.Relative));
        Assert.Equal("11010519491231002X", revealed.GetProperty("idNumber").GetString());

        var audit = await auditor.GetFromJsonAsync<JsonElement>(new Uri("/api/audit?action=reveal_id_number", UriKind.Relative));
        var reads = audit.EnumerateArray().Where(e => e.GetProperty("subject").GetString() == caseId.ToString()).ToList();
        var read = Assert.Single(reads, e => e.GetProperty("outcome").GetString() == "succeeded");
        Assert.Equal("family search", read.GetProperty("purpose").GetString());
        Assert.Equal(await SharedAuthority.SignIn.SubjectAsync(TestUsers.CountyOfficer()), read.GetProperty("actor").GetString());
        var staffId = await SharedAuthority.SignIn.SubjectAsync(TestUsers.PointStaff());
        var refusals = await auditor.GetFromJsonAsync<JsonElement>(new Uri($"/api/audit?actor={staffId}", UriKind.Relative));
        Assert.Contains(refusals.EnumerateArray(), e => e.GetProperty("outcome").GetString() == "refused"
            && e.GetProperty("action").GetString()!.Contains("id-number", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cases_are_found_by_ID_number_within_the_readers_scope_only()
    {
        var idNumber = Infrastructure.WholeFlowFixture.NewIdNumber();
        var first = await RegisterAsync(fixture.Service, idNumber);
        var second = await RegisterAsync(fixture.Service, idNumber.ToLowerInvariant());
        using var staff = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        using var linyiStaff = await fixture.Service.ClientForAsync(TestUsers.PointStaff(TestUsers.LinyiPoint, "140821"));

        var found = await staff.PostAsJsonAsync(new Uri("/api/cases/find-by-id-number", UriKind.Relative), new { idNumber });
        var elsewhere = await linyiStaff.PostAsJsonAsync(new Uri("/api/cases/find-by-id-number", UriKind.Relative), new { idNumber });

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var ids = (await found.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([second, first], ids);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
    }

    [Theory]
    [InlineData("340524198001010013")] // check digit
    [InlineData("990105194912310021")] // no such province
    [InlineData("110105209912310021")] // born in the future
    [InlineData("110105194902300021")] // 30 February
    [InlineData("1101051949123100")]   // too short
    public async Task An_invalid_ID_number_is_a_400_naming_the_field_that_does_not_echo_it(string idNumber)
    {
        using var staff = await fixture.Service.ClientForAsync(TestUsers.PointStaff());

        var response = await staff.PostCaseAsync(CaseWith(idNumber));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty("idNumber", out _), body);
        Assert.DoesNotContain(idNumber, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_number_sealed_under_an_older_key_stays_readable_after_the_key_rotates()
    {
        var database = TestInfrastructure.NewName("intakedb");
        Guid caseId;
        await using (var beforeRotation = new ServiceHost<IntakeApi>("intakedb", database, fixture.VirtualHost.AmqpUri,
            new Dictionary<string, string> { ["PersonalData:ActiveKeyId"] = "k1" }))
        {
            caseId = await RegisterAsync(beforeRotation, "440524188001010014");
        }

        await using var afterRotation = new ServiceHost<IntakeApi>("intakedb", database, fixture.VirtualHost.AmqpUri);
        using var officer = await afterRotation.ClientForAsync(TestUsers.CountyOfficer());
        var revealed = await officer.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{caseId}/id-number?purpose=identity%20check", UriKind.Relative));

        Assert.Equal("440524188001010014", revealed.GetProperty("idNumber").GetString());
        Assert.Equal("k1", await TestDatabase.ScalarAsync<string>(afterRotation.DatabaseConnectionString,
            "select id_number_key_id from cases where id = @caseId", new { caseId }));
    }

    [Fact]
    public async Task The_audit_log_cannot_be_rewritten()
    {
        await RegisterAsync(fixture.Service, "440524188001010014");

        var update = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => TestDatabase.ScalarAsync<long>(
            fixture.Service.DatabaseConnectionString, "with d as (delete from audit_log returning 1) select count(*) from d"));

        Assert.Contains("append-only", update.MessageText, StringComparison.Ordinal);
    }
}
