using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.Intake;
using Relief.IntegrationTests.Infrastructure;
using Relief.Registry;
using Relief.Testing;

namespace Relief.IntegrationTests.Intake;

/// <summary>
/// Registry announces its points, then stops: Intake goes on registering at the embedded point and refusing the closed
/// and the unknown ones, from what it learnt while Registry was up.
/// </summary>
public sealed class RegistryOutageTests : VirtualHostAndProbe
{
    private static object APoint(string code) => new
    {
        code, name = "停机测试服务点", kind = "love_station", countyCode = "140802", address = "停机路 1 号",
        longitude = 111.0, latitude = 35.02, openingHours = new { alwaysOpen = true },
    };

    [Fact]
    public async Task With_Registry_stopped_Intake_registers_at_an_embedded_point_and_refuses_a_closed_or_unknown_one()
    {
        await using var intake = new ServiceHost<IntakeApi>("intakedb", TestInfrastructure.NewName("intakedb"), VirtualHost.AmqpUri);
        await intake.WaitUntilReadyAsync();
        var registry = new ServiceHost<RegistryApi>("registrydb", TestInfrastructure.NewName("registrydb"), VirtualHost.AmqpUri)
        {
            IntakeHandler = () => intake.Server.CreateHandler(),
        };
        var (open, closed) = ($"RO-{Guid.NewGuid():N}"[..12].ToUpperInvariant(), $"RC-{Guid.NewGuid():N}"[..12].ToUpperInvariant());
        await using (registry)
        {
            await registry.WaitUntilReadyAsync();
            using var officer = await registry.ClientForAsync(TestUsers.CountyOfficer());
            foreach (var code in new[] { open, closed })
            {
                (await officer.PostAsJsonAsync("/api/service-points", APoint(code))).EnsureSuccessStatusCode();
                (await officer.PostAsJsonAsync($"/api/service-points/{code}/status", new
                {
                    status = "embedded", version = 1, signInstalledOn = "2026-11-01", staffTrainedCount = 2, staffTrainedOn = "2026-11-02",
                })).EnsureSuccessStatusCode();
            }

            (await officer.PostAsJsonAsync($"/api/service-points/{closed}/status", new { status = "closed", version = 2, note = "撤点" }))
                .EnsureSuccessStatusCode();
            await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(intake.DatabaseConnectionString,
                "select count(*) from service_points where (code = @open and status = 'embedded') or (code = @closed and status = 'closed')",
                new { open, closed }) == 2, "Intake's copy has both points as Registry left them");
        }

        // Registry is stopped now: its host is disposed and nothing answers for it.
        using var admin = await intake.ClientForAsync(TestUsers.CityAdministrator());
        async Task<HttpResponseMessage> RegisterAtAsync(string code) => await admin.PostAsJsonAsync("/api/cases", new
        {
            servicePointCode = code, countyCode = "140802", channel = "WalkIn", sex = "Female", estimatedAge = 80, need = "Referral",
        });

        using var atOpen = await RegisterAtAsync(open);
        using var atClosed = await RegisterAtAsync(closed);
        using var atUnknown = await RegisterAtAsync("RU-NO-SUCH-POINT");

        Assert.Equal(HttpStatusCode.Created, atOpen.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, atClosed.StatusCode);
        Assert.Contains("is closed", (await atClosed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("servicePointCode")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, atUnknown.StatusCode);
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(intake.DatabaseConnectionString,
            "select count(*) from cases where service_point_code in (@open, @closed, 'RU-NO-SUCH-POINT')", new { open, closed }));
    }
}
