using System.Text.RegularExpressions;
using Relief.ServiceDefaults.Authentication;
using Relief.Testing;

namespace Relief.EndToEndTests.Portal;

/// <summary>
/// Every page and endpoint of the portal × every role (and nobody signed in): a page a role may not open answers with
/// the "not allowed" page, one nobody signed in opens sends them to sign in. A page without an entry fails the test.
/// </summary>
[Collection(nameof(SharedStack))]
public sealed partial class PortalAuthorizationMatrixTests(SharedStack shared, PortalBrowser browser) : IClassFixture<PortalBrowser>
{
    private static readonly string[] Everyone =
        [.. ReliefRoles.All];

    private static readonly string[] CityAdministrator = ["city_admin"];

    private static readonly string[] NetworkReaders = [ReliefRoles.PointStaff, "hotline_operator", ReliefRoles.StationStaff, "county_officer", "city_admin"];

    private static readonly string[] NetworkEditors = ["county_officer", "city_admin"];

    private static readonly string[] PersonReaders = [ReliefRoles.PointStaff, "county_officer", "city_admin"];

    private static readonly string[] CaseRegistrars = [ReliefRoles.PointStaff, "hotline_operator", "county_officer", "city_admin"];

    private static readonly string[] CaseReaders = [ReliefRoles.PointStaff, "hotline_operator", ReliefRoles.StationStaff, "county_officer", "city_admin"];

    private static readonly string[] ReferralInbox = [ReliefRoles.StationStaff, "county_officer", "city_admin"];

    private static readonly string[] ReferralReaders = [ReliefRoles.PointStaff, ReliefRoles.StationStaff, "county_officer", "city_admin"];

    private static readonly string[] ExtensionDeciders = ["county_officer", "city_admin"];

    /// <summary>Who works at an office with a duty desk: everyone but auditors.</summary>
    private static readonly string[] DeskUsers = [ReliefRoles.PointStaff, "hotline_operator", ReliefRoles.StationStaff, "county_officer", "city_admin"];

    private static readonly string[] NotificationManagers = ["county_officer", "city_admin"];

    /// <summary>Statistics, each their scope: point staff (their point), county officers (their county), the city.</summary>
    private static readonly string[] StatisticsReaders = [ReliefRoles.PointStaff, "county_officer", "city_admin"];

    /// <summary>寻亲: station staff, county officers, the city; auditors read.</summary>
    private static readonly string[] FamilySearchStaff = [ReliefRoles.StationStaff, "county_officer", "city_admin", ReliefRoles.Auditor];

    /// <summary>Missing-person reports, each their scope: who registers them, the family-search staff and auditors.</summary>
    private static readonly string[] MissingPersonReaders =
        [ReliefRoles.PointStaff, "hotline_operator", ReliefRoles.StationStaff, "county_officer", "city_admin", ReliefRoles.Auditor];

    /// <summary>Who registers a family's missing-person report: everyone but auditors.</summary>
    private static readonly string[] MissingPersonRegistrars = [ReliefRoles.PointStaff, "hotline_operator", ReliefRoles.StationStaff, "county_officer", "city_admin"];

    /// <summary>Route → the roles that may open it (null: open to anyone, signed in or not). Sample values fill parameters.</summary>
    private static readonly Dictionary<string, (string Sample, string[]? Roles)> Pages = new()
    {
        ["/"] = ("/", Everyone),
        ["/account/password"] = ("/account/password", Everyone),
        ["/forbidden"] = ("/forbidden", Everyone),
        ["/admin/offices"] = ("/admin/offices", CityAdministrator),
        ["/admin/offices/new"] = ("/admin/offices/new", CityAdministrator),
        ["/admin/offices/{Code}"] = ("/admin/offices/CITY-BUREAU", CityAdministrator),
        ["/admin/users"] = ("/admin/users", CityAdministrator),
        ["/admin/users/new"] = ("/admin/users/new", CityAdministrator),
        ["/admin/users/{Id}"] = ("/admin/users/no-such-user", CityAdministrator),
        ["/admin/signing-keys"] = ("/admin/signing-keys", CityAdministrator),
        ["/admin/rules"] = ("/admin/rules", CityAdministrator),
        ["/network/map"] = ("/network/map", NetworkReaders),
        ["/network/points"] = ("/network/points", NetworkEditors),
        ["/network/points/new"] = ("/network/points/new", NetworkEditors),
        ["/network/points/{Code}"] = ("/network/points/NO-SUCH-POINT", NetworkEditors),
        ["/cases"] = ("/cases", CaseReaders),
        ["/cases/new"] = ("/cases/new", CaseRegistrars),
        ["/cases/{Id:guid}"] = ("/cases/00000000-0000-0000-0000-000000000001", CaseReaders),
        ["/cases/{Id:guid}/edit"] = ("/cases/00000000-0000-0000-0000-000000000001/edit", CaseReaders),
        ["/persons"] = ("/persons", PersonReaders),
        ["/persons/{Id:guid}"] = ("/persons/00000000-0000-0000-0000-000000000001", PersonReaders),
        ["/referrals"] = ("/referrals", ReferralInbox),
        ["/referrals/{Id:guid}"] = ("/referrals/00000000-0000-0000-0000-000000000001", ReferralReaders),
        ["/referrals/extensions"] = ("/referrals/extensions", ExtensionDeciders),
        ["/notifications"] = ("/notifications", DeskUsers),
        ["/notifications/subscriptions"] = ("/notifications/subscriptions", NotificationManagers),
        ["/notifications/deliveries"] = ("/notifications/deliveries", NotificationManagers),
        ["/notifications/deliveries/{Id:guid}"] = ("/notifications/deliveries/00000000-0000-0000-0000-000000000001", NotificationManagers),
        ["/statistics"] = ("/statistics", StatisticsReaders),
        ["/statistics/cases"] = ("/statistics/cases?dimension=channel&value=WalkIn", StatisticsReaders),
        ["/dashboard"] = ("/dashboard", CityAdministrator),
        ["/family-search"] = ("/family-search", FamilySearchStaff),
        ["/family-search/notices/{Id:guid}"] = ("/family-search/notices/00000000-0000-0000-0000-000000000001", FamilySearchStaff),
        ["/family-search/notices/{Id:guid}/print"] = ("/family-search/notices/00000000-0000-0000-0000-000000000001/print", FamilySearchStaff),
        ["/family-search/reports"] = ("/family-search/reports", MissingPersonReaders),
        ["/family-search/reports/new"] = ("/family-search/reports/new", MissingPersonRegistrars),
        ["/family-search/reports/{Id:guid}"] = ("/family-search/reports/00000000-0000-0000-0000-000000000001", MissingPersonReaders),
        ["/xunqin"] = ("/xunqin", null),
        ["/xunqin/{Id:guid}"] = ("/xunqin/00000000-0000-0000-0000-000000000001", null),
        ["/signed-out"] = ("/signed-out", null),
        ["/not-found"] = ("/not-found", null),
        ["/error"] = ("/error", null),
    };

    /// <summary>The endpoints that are not pages (PortalEndpoints.cs), and who may use them; PortalTests exercise them.</summary>
    private static readonly Dictionary<string, string> Endpoints = new()
    {
        ["POST /account/signout"] = "any signed-in user, with the form's antiforgery token (PortalTests)",
        ["GET /culture/{culture}"] = "anyone: it only sets the language cookie",
        ["GET /network/map-data"] = "the network's readers (as /network/map); NetworkMapTests read it through the map",
        ["GET /desk/stream"] = "desk users (as /notifications); anyone else, signed in or not, is answered 204 so EventSource stops (DeskFeedTests)",
        ["POST /desk/read"] = "desk users, with the form's antiforgery token (DeskFeedTests)",
        ["GET /statistics/monthly.xlsx"] = "statistics readers (as /statistics), scoped again by Reporting; StatisticsTests download it",
        ["GET /statistics/monthly.csv"] = "statistics readers (as /statistics), scoped again by Reporting",
        ["GET /family-search/photos/{id:guid}"] = "missing-person readers, scoped again by FamilySearch (staff in scope of the photo's case); FamilySearchTests show one",
        ["GET /xunqin/{id:guid}/photo"] = "anyone: FamilySearch serves a photo only while its notice is published (FamilySearchTests)",
    };

    [Fact]
    public void Every_page_and_endpoint_of_the_portal_has_an_entry()
    {
        var project = Path.GetDirectoryName(new Projects.Portal_Web().ProjectPath)!;
        var routes = Directory.EnumerateFiles(Path.Combine(project, "Components"), "*.razor", SearchOption.AllDirectories)
            .SelectMany(file => PageDirective().Matches(File.ReadAllText(file)).Select(match => match.Groups[1].Value))
            .ToList();
        Assert.NotEmpty(routes);
        Assert.Equal(Pages.Keys.Order(), routes.Order());

        var endpoints = MapCall().Matches(File.ReadAllText(Path.Combine(project, "PortalEndpoints.cs")))
            .Select(match => $"{match.Groups[1].Value.ToUpperInvariant()} {match.Groups[2].Value}")
            .ToList();
        Assert.Equal(Endpoints.Keys.Order(), endpoints.Order());
    }

    [Fact]
    public async Task Each_role_opens_only_its_pages_and_nobody_signed_in_is_sent_to_sign_in()
    {
        var failures = new List<string>();
        await using (var anonymous = await browser.OpenAsync(shared.Stack.PortalAddress))
        {
            foreach (var (route, (sample, roles)) in Pages)
            {
                await anonymous.Page.GotoAsync(sample);
                var signInAsked = anonymous.Page.Url.Contains("/account/login", StringComparison.Ordinal);
                if (signInAsked != (roles is not null))
                {
                    failures.Add($"anonymous {route}: ended at {anonymous.Page.Url}");
                }
            }
        }

        foreach (var role in Everyone)
        {
            var (userName, password) = await shared.Stack.SignIn.NewUserAsync(UserOf(role));
            await using var session = await browser.OpenAsync(shared.Stack.PortalAddress);
            await session.SignInAsync(userName, password);
            foreach (var (route, (sample, roles)) in Pages.Where(page => page.Value.Roles is not null))
            {
                var response = await session.Page.GotoAsync(sample);
                var refused = session.Page.Url.Contains("/forbidden", StringComparison.Ordinal) && route != "/forbidden";
                var allowed = roles!.Contains(role);
                if (refused == allowed || response is null || response.Status >= 500)
                {
                    failures.Add($"{role} {route}: {(allowed ? "expected to open" : "expected to be refused")}, ended at {session.Page.Url} ({response?.Status})");
                }
            }

            if (session.ConsoleErrors.Count > 0)
            {
                failures.AddRange(session.ConsoleErrors);
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static TestUser UserOf(string role) => role switch
    {
        "point_staff" => TestUsers.PointStaff(),
        "hotline_operator" => TestUsers.HotlineOperator(),
        "station_staff" => TestUsers.StationStaff(),
        "county_officer" => TestUsers.CountyOfficer(),
        "city_admin" => TestUsers.CityAdministrator(),
        _ => TestUsers.Auditor(),
    };

    [GeneratedRegex("^@page \"([^\"]+)\"", RegexOptions.Multiline)]
    private static partial Regex PageDirective();

    [GeneratedRegex("app\\.Map(Get|Post|Put|Delete)\\(\"([^\"]+)\"")]
    private static partial Regex MapCall();
}
