using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.ServiceDefaults.PersonalData;
using Relief.Testing;

namespace Relief.IntegrationTests.Referral;

/// <summary>
/// Real cases in the run's shared Intake (<see cref="SharedIntake"/>), registered, confirmed and completed over its API,
/// for a Referral host to read the facts of. Intake's own events stay on its virtual host: a test publishes the case's
/// events to Referral itself, when it wants them handled.
/// </summary>
internal static class IntakeCases
{
    /// <summary>A case at 盐湖区's point YH-CC-001 (or 临猗县's LY-LS-003 for county 140821); what is not given, unknown.</summary>
    public static object Case(string[]? situations = null, string[]? needs = null, int? estimatedAge = 35, string? idNumber = null,
        string countyCode = "140802", string channel = "WalkIn", string need = "Food") => new
    {
        servicePointCode = countyCode == "140821" ? TestUsers.LinyiPoint : TestUsers.YanhuPoint,
        countyCode,
        channel,
        sex = "Male",
        estimatedAge,
        idNumber,
        need,
        situations = situations ?? [],
        needs = needs ?? [],
    };

    public static async Task<(Guid Id, string CaseNumber)> RegisterAsync(object body)
    {
        using var admin = await SharedIntake.Instance.ClientForAsync(TestUsers.CityAdministrator());
        using var response = await admin.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetGuid(), created.GetProperty("caseNumber").GetString()!);
    }

    /// <summary>身份确认 at Intake: id_card_checked (the case must hold an ID number), police_check, self_declared, not_established.</summary>
    public static async Task ConfirmIdentityAsync(Guid caseId, string method)
    {
        using var admin = await SharedIntake.Instance.ClientForAsync(TestUsers.CityAdministrator());
        using var response = await admin.PostAsJsonAsync(new Uri($"/api/cases/{caseId}/identity", UriKind.Relative), new { method });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>补充登记 at Intake: the whole record again, on the version it was read at.</summary>
    public static async Task UpdateAsync(Guid caseId, int version, object record)
    {
        using var admin = await SharedIntake.Instance.ClientForAsync(TestUsers.CityAdministrator());
        var body = JsonSerializer.SerializeToNode(record)!.AsObject();
        body["version"] = version;
        body.Remove("servicePointCode");
        body.Remove("countyCode");
        body.Remove("channel");
        using var response = await admin.PutAsJsonAsync(new Uri($"/api/cases/{caseId}", UriKind.Relative), body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static CaseRegistered Registered(Guid caseId, string countyCode = "140802") => new()
    {
        CaseId = caseId,
        CountyCode = countyCode,
        ServicePointCode = countyCode == "140821" ? TestUsers.LinyiPoint : TestUsers.YanhuPoint,
        Channel = IntakeChannel.WalkIn,
        Sex = Sex.Male,
        Need = ReliefNeed.Food,
        RegisteredAt = DateTimeOffset.UtcNow,
    };

    /// <summary>A valid ID number of region 140802 for someone <paramref name="age"/> years old, unlike any other test's.</summary>
    public static string IdNumberAged(int age)
    {
        var birth = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-age).AddDays(-Random.Shared.Next(30, 300));
        var first17 = $"140802{birth:yyyyMMdd}{Random.Shared.Next(0, 1000):D3}";
        return first17 + ResidentIdNumber.CheckCharacter(first17);
    }
}
