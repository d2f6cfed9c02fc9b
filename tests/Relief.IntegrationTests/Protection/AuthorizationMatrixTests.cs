using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Relief.IntegrationTests.Infrastructure;
using Relief.Testing;
using static Relief.IntegrationTests.Infrastructure.WholeFlowFixture;

namespace Relief.IntegrationTests.Protection;

/// <summary>
/// Every endpoint of every service × {anonymous, wrong role, right role elsewhere, right role in scope}: only the
/// last succeeds. An endpoint without an entry here fails the test, so nothing new ships unprotected.
/// </summary>
public sealed class AuthorizationMatrixTests(WholeFlowFixture flow) : IClassFixture<WholeFlowFixture>
{
    /// <summary>One endpoint's entry. <paramref name="Elsewhere"/> is null only where the role has no county or point scope (the reason says why).</summary>
    private sealed record Entry(
        string Service,
        string Endpoint,
        Func<FlowIds, HttpRequestMessage> Request,
        TestUser InScope,
        TestUser WrongRole,
        TestUser? Elsewhere,
        string? NoScopeReason = null);

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, new Uri(path, UriKind.Relative));

    private static HttpRequestMessage RegisterAt(string servicePointCode) => new(HttpMethod.Post, new Uri("/api/cases", UriKind.Relative))
    {
        Content = JsonContent.Create(new { servicePointCode, countyCode = "140802", channel = "WalkIn", need = "Food" }),
    };

    private const string AuditorsSeeTheWholeLog = "An auditor's scope is the whole audit log, which holds no case data.";

    private static IReadOnlyList<Entry> Matrix() =>
    [
        new("intake", "POST /api/cases/", _ => RegisterAt(TestUsers.YanhuPoint),
            TestUsers.PointStaff(), TestUsers.StationStaff(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("intake", "GET /api/cases/{id:guid}", ids => Get($"/api/cases/{ids.CaseId}"),
            TestUsers.PointStaff(), TestUsers.Auditor(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("intake", "GET /api/cases/{id:guid}/id-number", ids => Get($"/api/cases/{ids.CaseId}/id-number?purpose=family+search"),
            TestUsers.StationStaff(), TestUsers.PointStaff(), TestUsers.StationStaff(TestUsers.LinyiStation)),
        new("intake", "GET /api/audit", _ => Get("/api/audit"),
            TestUsers.Auditor(), TestUsers.CityAdministrator(), null, AuditorsSeeTheWholeLog),

        new("registry", "GET /api/persons/{id:guid}", ids => Get($"/api/persons/{ids.PersonId}"),
            TestUsers.PointStaff(), TestUsers.StationStaff(), TestUsers.CountyOfficer("140821")),
        new("registry", "GET /api/persons/", ids => Get($"/api/persons?caseId={ids.CaseId}"),
            TestUsers.CountyOfficer(), TestUsers.HotlineOperator(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("registry", "GET /api/audit", _ => Get("/api/audit"),
            TestUsers.Auditor(), TestUsers.PointStaff(), null, AuditorsSeeTheWholeLog),

        new("referral", "GET /api/referrals/{id:guid}", ids => Get($"/api/referrals/{ids.ReferralId}"),
            TestUsers.StationStaff(), TestUsers.HotlineOperator(), TestUsers.StationStaff(TestUsers.LinyiStation)),
        new("referral", "GET /api/referrals/", ids => Get($"/api/referrals?caseId={ids.CaseId}"),
            TestUsers.PointStaff(), TestUsers.Auditor(), TestUsers.CountyOfficer("140821")),
        new("referral", "GET /api/audit", _ => Get("/api/audit"),
            TestUsers.Auditor(), TestUsers.StationStaff(), null, AuditorsSeeTheWholeLog),

        new("notification", "GET /api/notifications/", ids => Get($"/api/notifications?caseId={ids.CaseId}"),
            TestUsers.StationStaff(), TestUsers.PointStaff(), TestUsers.StationStaff(TestUsers.LinyiStation)),
        new("notification", "GET /api/audit", _ => Get("/api/audit"),
            TestUsers.Auditor(), TestUsers.CountyOfficer(), null, AuditorsSeeTheWholeLog),
    ];

    private static async Task<HttpClient> ClientAsync(string service, TestUser? user, WholeFlowFixture flow)
    {
        var client = service switch
        {
            "intake" => flow.Intake.CreateClient(),
            "registry" => flow.Registry.CreateClient(),
            "referral" => flow.Referral.CreateClient(),
            "notification" => flow.Notification.CreateClient(),
            _ => throw new ArgumentOutOfRangeException(nameof(service), service, "no such service"),
        };
        if (user is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", await SharedAuthority.SignIn.TokenAsync(user));
        }

        return client;
    }

    private IEnumerable<(string Service, IServiceProvider Services)> Hosts() =>
    [
        ("intake", flow.Intake.Services), ("registry", flow.Registry.Services),
        ("referral", flow.Referral.Services), ("notification", flow.Notification.Services),
    ];

    [Fact]
    public void Every_endpoint_of_every_service_has_an_entry_in_the_matrix()
    {
        var covered = Matrix().Select(entry => $"{entry.Service} {entry.Endpoint}").ToHashSet();
        var endpoints = Hosts().SelectMany(host => host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is not null)
            .Where(endpoint => endpoint.RoutePattern.RawText is not ("/health" or "/alive"))
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods
                .Select(method => $"{host.Service} {method} {endpoint.RoutePattern.RawText}")))
            .ToList();

        Assert.NotEmpty(endpoints);
        var missing = endpoints.Where(endpoint => !covered.Contains(endpoint)).ToList();
        Assert.True(missing.Count == 0, "Endpoints without an authorization matrix entry: " + string.Join(", ", missing));
        var stale = covered.Where(entry => !endpoints.Contains(entry)).ToList();
        Assert.True(stale.Count == 0, "Matrix entries for endpoints that no longer exist: " + string.Join(", ", stale));
    }

    [Fact]
    public async Task Only_the_right_role_in_scope_gets_through_every_endpoint()
    {
        var ids = await flow.RegisterReferredCaseAsync("矩阵测试", NewIdNumber());
        var failures = new List<string>();

        foreach (var entry in Matrix())
        {
            async Task<HttpStatusCode> Send(TestUser? user)
            {
                using var client = await ClientAsync(entry.Service, user, flow);
                using var request = entry.Request(ids);
                return (await client.SendAsync(request)).StatusCode;
            }

            var name = $"{entry.Service} {entry.Endpoint}";
            if (await Send(null) is var anonymous && anonymous != HttpStatusCode.Unauthorized)
            {
                failures.Add($"{name}: anonymous got {(int)anonymous}, expected 401");
            }

            if (await Send(entry.WrongRole) is var wrongRole && wrongRole != HttpStatusCode.Forbidden)
            {
                failures.Add($"{name}: wrong role got {(int)wrongRole}, expected 403");
            }

            if (entry.Elsewhere is null)
            {
                Assert.False(string.IsNullOrWhiteSpace(entry.NoScopeReason), $"{name}: no 'elsewhere' user and no reason why");
            }
            else if (await Send(entry.Elsewhere) is var elsewhere && elsewhere is not (HttpStatusCode.Forbidden or HttpStatusCode.NotFound))
            {
                failures.Add($"{name}: right role elsewhere got {(int)elsewhere}, expected 403 or 404");
            }

            if (await Send(entry.InScope) is var inScope && (int)inScope is < 200 or > 299)
            {
                failures.Add($"{name}: right role in scope got {(int)inScope}, expected 2xx");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
