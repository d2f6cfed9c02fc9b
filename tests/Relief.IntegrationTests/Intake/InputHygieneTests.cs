using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Relief.Intake;
using Relief.Intake.Cases;
using Relief.IntegrationTests.Infrastructure;
using Relief.ServiceDefaults.PersonalData;
using Relief.Testing;

namespace Relief.IntegrationTests.Intake;

public sealed class InputHygieneTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    [Theory]
    [InlineData("personName", "张\u0000三")]
    [InlineData("circumstances", "Found at the station.\u0000")]
    [InlineData("circumstances", "Escape \u001b[31m sequence")]
    public async Task A_control_character_in_a_text_field_is_a_400_naming_the_field_and_nothing_is_saved(string field, string text)
    {
        using var staff = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        var marker = Guid.NewGuid().ToString();
        var body = new Dictionary<string, object?>
        {
            ["servicePointCode"] = TestUsers.YanhuPoint, ["countyCode"] = "140802", ["channel"] = "WalkIn", ["need"] = "Food",
            ["personName"] = "王五", ["circumstances"] = marker,
        };
        body[field] = field == "circumstances" ? marker + text : text;

        var response = await staff.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("control character", Assert.Single(errors.GetProperty(field).EnumerateArray()).GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString,
            "select count(*) from cases where circumstances like @Marker", new { Marker = marker + "%" }));
    }

    [Fact]
    public async Task Tabs_and_line_breaks_in_a_text_field_are_kept()
    {
        using var staff = await fixture.Service.ClientForAsync(TestUsers.PointStaff());

        var response = await staff.PostCaseAsync(new
        {
            servicePointCode = TestUsers.YanhuPoint, countyCode = "140802", channel = "WalkIn", need = "Food",
            circumstances = "Lost wallet.\r\nHungry.\tWants to call his son.\n",
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task A_control_character_in_a_query_parameter_is_a_400_naming_the_parameter()
    {
        using var officer = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer());

        var response = await officer.GetAsync(new Uri($"/api/cases/{Guid.NewGuid()}/id-number?purpose=family%00search", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("purpose", out _));
    }

    [Theory]
    [InlineData("%2B08:00")]
    [InlineData("+08:00")] // unencoded: the '+' arrives as a space
    [InlineData("Z")]
    [InlineData("-05:00")]
    public async Task The_audit_log_is_read_from_a_time_with_any_offset(string offset)
    {
        using var staff = await fixture.Service.ClientForAsync(TestUsers.PointStaff());
        using var auditor = await fixture.Service.ClientForAsync(TestUsers.Auditor());
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var created = (await (await staff.PostCaseAsync(CaseRequests.Valid(need: "Food"))).Content.ReadFromJsonAsync<RegisteredCase>())!;
        var local = before.ToOffset(offset switch { "Z" => TimeSpan.Zero, "-05:00" => TimeSpan.FromHours(-5), _ => TimeSpan.FromHours(8) });

        var response = await auditor.GetAsync(new Uri(
            $"/api/audit?action=register_case&from={local:yyyy-MM-ddTHH:mm:ss}{offset}", UriKind.Relative));
        var tooLate = await auditor.GetFromJsonAsync<JsonElement>(new Uri(
            $"/api/audit?action=register_case&from={DateTimeOffset.UtcNow.AddHours(1).ToOffset(TimeSpan.FromHours(8)):yyyy-MM-ddTHH:mm:ss}%2B08:00",
            UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(entries.EnumerateArray(), e => e.GetProperty("subject").GetString() == created.Id.ToString());
        Assert.DoesNotContain(tooLate.EnumerateArray(), e => e.GetProperty("subject").GetString() == created.Id.ToString());
    }

    [Fact]
    public async Task A_time_that_is_not_a_time_is_a_400_naming_the_parameter()
    {
        using var auditor = await fixture.Service.ClientForAsync(TestUsers.Auditor());

        var response = await auditor.GetAsync(new Uri("/api/audit?from=yesterday", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("from", out _));
    }

    [Theory]
    [InlineData("PersonalData:Keys:k2", "too-short")]
    [InlineData("PersonalData:ActiveKeyId", "k9")]
    [InlineData("PersonalData:ActiveLookupKeyId", "h9")]
    public async Task A_service_with_a_missing_or_short_personal_data_key_refuses_to_start(string setting, string value)
    {
        await using var intake = new ServiceHost<IntakeApi>("intakedb", TestInfrastructure.NewName("intakedb"), fixture.VirtualHost.AmqpUri,
            new Dictionary<string, string> { [setting] = value });

        var failure = Assert.ThrowsAny<Exception>(() => intake.Server);

        var validation = Assert.IsType<OptionsValidationException>(failure.GetBaseException());
        Assert.Contains(validation.Failures, message => message.Contains(setting.Split(':')[1], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cases_hashed_under_an_older_lookup_key_are_still_found_after_the_lookup_key_rotates()
    {
        var database = TestInfrastructure.NewName("intakedb");
        var idNumber = WholeFlowFixture.NewIdNumber();
        Guid before;
        await using (var beforeRotation = new ServiceHost<IntakeApi>("intakedb", database, fixture.VirtualHost.AmqpUri))
        {
            before = await RegisterWithAsync(beforeRotation, idNumber);
        }

        await using var afterRotation = new ServiceHost<IntakeApi>("intakedb", database, fixture.VirtualHost.AmqpUri, new Dictionary<string, string>
        {
            ["PersonalData:ActiveLookupKeyId"] = "h2",
            ["PersonalData:LookupKeys:h2"] = "a-newer-test-lookup-key-for-identity-documents",
        });
        var after = await RegisterWithAsync(afterRotation, idNumber);
        using var staff = await afterRotation.ClientForAsync(TestUsers.PointStaff());

        var found = await staff.PostAsJsonAsync(new Uri("/api/cases/find-by-id-number", UriKind.Relative), new { idNumber });

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var ids = (await found.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([after, before], ids);
        Assert.Equal("h1", await TestDatabase.ScalarAsync<string>(afterRotation.DatabaseConnectionString,
            "select id_number_hash_key_id from cases where id = @before", new { before }));
        Assert.Equal("h2", await TestDatabase.ScalarAsync<string>(afterRotation.DatabaseConnectionString,
            "select id_number_hash_key_id from cases where id = @after", new { after }));
    }

    private static async Task<Guid> RegisterWithAsync(ServiceHost<IntakeApi> intake, string idNumber)
    {
        using var staff = await intake.ClientForAsync(TestUsers.PointStaff());
        var response = await staff.PostCaseAsync(new
        {
            servicePointCode = TestUsers.YanhuPoint, countyCode = "140802", channel = "WalkIn", need = "TravelVoucher", idNumber,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RegisteredCase>())!.Id;
    }
}
