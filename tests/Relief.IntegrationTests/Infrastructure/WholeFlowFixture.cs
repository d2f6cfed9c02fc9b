using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Relief.FamilySearch;
using Relief.Intake;
using Relief.Notification;
using Relief.Referral;
using Relief.Registry;
using Relief.Reporting;
using Relief.ServiceDefaults.PersonalData;
using Relief.Testing;

namespace Relief.IntegrationTests.Infrastructure;

/// <summary>
/// All four services on one virtual host, with every log line, span and message captured: a case registered
/// at Intake travels the whole flow as in production.
/// </summary>
public sealed class WholeFlowFixture : IAsyncLifetime
{
    public LogCapture Logs { get; } = new();
    public SpanCapture Spans { get; } = new();
    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public BusProbe Probe { get; private set; } = null!;
    public ServiceHost<IntakeApi> Intake { get; private set; } = null!;
    public ServiceHost<RegistryApi> Registry { get; private set; } = null!;
    public ServiceHost<ReferralApi> Referral { get; private set; } = null!;
    public ServiceHost<NotificationApi> Notification { get; private set; } = null!;
    public ServiceHost<ReportingApi> Reporting { get; private set; } = null!;
    public ServiceHost<FamilySearchApi> FamilySearch { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        VirtualHost = await TestVirtualHost.CreateAsync();
        Probe = await BusProbe.StartAsync(VirtualHost.AmqpUri);
        Intake = new("intakedb", TestInfrastructure.NewName("intakedb"), VirtualHost.AmqpUri, logCapture: Logs);
        Registry = new("registrydb", TestInfrastructure.NewName("registrydb"), VirtualHost.AmqpUri, logCapture: Logs)
        {
            IntakeHandler = () => Intake.Server.CreateHandler(),
        };
        Referral = new("referraldb", TestInfrastructure.NewName("referraldb"), VirtualHost.AmqpUri, logCapture: Logs)
        {
            IntakeHandler = () => Intake.Server.CreateHandler(),
        };
        Notification = new("notificationdb", TestInfrastructure.NewName("notificationdb"), VirtualHost.AmqpUri, logCapture: Logs);
        FamilySearch = new("familysearchdb", TestInfrastructure.NewName("familysearchdb"), VirtualHost.AmqpUri, logCapture: Logs)
        {
            IntakeHandler = () => Intake.Server.CreateHandler(),
        };
        Reporting = new("reportingdb", TestInfrastructure.NewName("reportingdb"), VirtualHost.AmqpUri, logCapture: Logs)
        {
            IntakeHandler = () => Intake.Server.CreateHandler(),
            ReferralHandler = () => Referral.Server.CreateHandler(),
            RegistryHandler = () => Registry.Server.CreateHandler(),
            FamilySearchHandler = () => FamilySearch.Server.CreateHandler(),
        };
        await Task.WhenAll(Intake.WaitUntilReadyAsync(), Registry.WaitUntilReadyAsync(),
            Referral.WaitUntilReadyAsync(), Notification.WaitUntilReadyAsync(), Reporting.WaitUntilReadyAsync(),
            FamilySearch.WaitUntilReadyAsync());
    }

    /// <summary>A valid resident ID number no other test uses: region 140802, a random birth date and sequence.</summary>
    public static string NewIdNumber()
    {
        var birth = new DateOnly(1940, 1, 1).AddDays(Random.Shared.Next(0, 365 * 60));
        var first17 = $"140802{birth:yyyyMMdd}{Random.Shared.Next(0, 1000):D3}";
        return first17 + ResidentIdNumber.CheckCharacter(first17);
    }

    public sealed record FlowIds(Guid CaseId, Guid PersonId, Guid ReferralId);

    /// <summary>Registers a case at 盐湖区's point YH-CC-001 that needs the relief station, and waits for its duty-desk notification.</summary>
    public async Task<FlowIds> RegisterReferredCaseAsync(string personName, string? idNumber)
    {
        using var staff = await Intake.ClientForAsync(TestUsers.PointStaff());
        var response = await staff.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
        {
            servicePointCode = TestUsers.YanhuPoint,
            countyCode = "140802",
            channel = "WalkIn",
            personName,
            idNumber,
            sex = "Female",
            estimatedAge = 75,
            need = "Referral",
            circumstances = $"{personName} was found at the bus station.",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var caseId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using var admin = await Notification.ClientForAsync(TestUsers.CityAdministrator());
        await TestDatabase.EventuallyAsync(async () =>
            (await admin.GetAsync(new Uri($"/api/notifications?caseId={caseId}", UriKind.Relative))).IsSuccessStatusCode,
            "the case reaches the duty-desk feed");
        // Intake learns of the referral too: the station may then read the case.
        await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(Intake.DatabaseConnectionString,
            "select count(*) from cases where id = @caseId and referred_to_station_county is not null", new { caseId }) == 1,
            "Intake records the receiving station");

        // Registry puts the case on the register beside the referral, not before it.
        await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(Registry.DatabaseConnectionString,
            "select count(*) from person_cases where case_id = @caseId", new { caseId }) == 1, "Registry records the case's person");
        using var registryAdmin = await Registry.ClientForAsync(TestUsers.CityAdministrator());
        var person = (await registryAdmin.GetFromJsonAsync<JsonElement>(new Uri($"/api/persons?caseId={caseId}", UriKind.Relative)))[0];
        using var referralAdmin = await Referral.ClientForAsync(TestUsers.CityAdministrator());
        var referral = (await referralAdmin.GetFromJsonAsync<JsonElement>(new Uri($"/api/referrals?caseId={caseId}", UriKind.Relative)))[0];
        return new FlowIds(caseId, person.GetProperty("id").GetGuid(), referral.GetProperty("id").GetGuid());
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(Intake.DisposeAsync().AsTask(), Registry.DisposeAsync().AsTask(),
            Referral.DisposeAsync().AsTask(), Notification.DisposeAsync().AsTask(), Reporting.DisposeAsync().AsTask(),
            FamilySearch.DisposeAsync().AsTask());
        await Probe.DisposeAsync();
        await VirtualHost.DisposeAsync();
        Spans.Dispose();
    }
}
