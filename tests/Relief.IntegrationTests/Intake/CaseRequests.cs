using System.Net.Http.Json;

namespace Relief.IntegrationTests.Intake;

internal static class CaseRequests
{
    public static object Valid(string servicePointCode = "YH-CC-001", string need = "Referral") => new
    {
        servicePointCode,
        countyCode = "140802",
        channel = "WalkIn",
        personName = "张三丰",
        sex = "Male",
        estimatedAge = 67,
        need,
        circumstances = "Lost his phone and ID card at the bus station; wants to go home.",
    };

    public static Task<HttpResponseMessage> PostCaseAsync(this HttpClient client, object body) =>
        client.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), body);
}
