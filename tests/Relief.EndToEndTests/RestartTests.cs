using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Relief.Testing;

namespace Relief.EndToEndTests;

/// <summary>A county office restarts its machine: the stack comes back on the same data folder with everything in it.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task After_a_stop_and_start_on_the_same_data_folder_a_case_registered_before_is_served_and_its_ID_number_revealed()
    {
        var folder = ReliefStack.NewDataFolder();
        try
        {
            Guid caseId;
            (string UserName, string Password) officer;
            await using (var first = await ReliefStack.StartAsync(folder))
            {
                using var authority = first.App.CreateHttpClient("identity");
                var admin = await IdentityAuthorityClient.GetAccessTokenAsync(authority, "admin", ReliefStack.AdminPassword);
                var staff = await IdentityAuthorityClient.CreateUserAsync(authority, admin, "point_staff", TestUsers.YanhuPoint, "140802", "service_point");
                officer = await IdentityAuthorityClient.CreateUserAsync(authority, admin, "county_officer", "CO-140802", "140802", "county_office");

                using var intake = first.App.CreateHttpClient("intake");
                intake.DefaultRequestHeaders.Authorization = new("Bearer",
                    await IdentityAuthorityClient.GetAccessTokenAsync(authority, staff.UserName, staff.Password));
                var response = await intake.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
                {
                    servicePointCode = TestUsers.YanhuPoint, countyCode = "140802", channel = "WalkIn", need = "Referral",
                    personName = "赵六", idNumber = "440524188001010014", sex = "Male", estimatedAge = 72,
                });
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                caseId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            }

            await using var second = await ReliefStack.StartAsync(folder);
            using var authorityAgain = second.App.CreateHttpClient("identity");
            // The user created before the restart signs in with the same password: offices and users were kept.
            var officerToken = await IdentityAuthorityClient.GetAccessTokenAsync(authorityAgain, officer.UserName, officer.Password);
            using var intakeAgain = second.App.CreateHttpClient("intake");
            intakeAgain.DefaultRequestHeaders.Authorization = new("Bearer", officerToken);

            var registered = await intakeAgain.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{caseId}", UriKind.Relative));
            var revealed = await intakeAgain.GetFromJsonAsync<JsonElement>(
                new Uri($"/api/cases/{caseId}/id-number?purpose=identity%20check%20after%20restart", UriKind.Relative));

            Assert.Equal("440524********0014", registered.GetProperty("idNumber").GetString());
            Assert.Equal("440524188001010014", revealed.GetProperty("idNumber").GetString());
            // The referral sent before the stop (or, if the stop came first, at the start) reached the station's desk.
            using var notification = second.App.CreateHttpClient("notification");
            notification.DefaultRequestHeaders.Authorization = new("Bearer", officerToken);
            await Eventually.TrueAsync(async () => (await notification.GetAsync(new Uri($"/api/notifications?caseId={caseId}", UriKind.Relative)))
                .StatusCode == HttpStatusCode.OK, "the case is on the duty-desk feed", TimeSpan.FromSeconds(60));
        }
        finally
        {
            ReliefStack.DeleteDataFolder(folder);
        }
    }
}

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; fails the test after the timeout.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan timeout, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(250));
        }
    }
}
