using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Relief.IntegrationTests.FamilySearch;
using Relief.IntegrationTests.Infrastructure;
using Relief.IntegrationTests.Referral;
using Relief.Testing;
using static Relief.IntegrationTests.Infrastructure.WholeFlowFixture;

namespace Relief.IntegrationTests.Protection;

/// <summary>
/// Every endpoint of every service × {anonymous, wrong role, right role elsewhere, right role in scope}: only the
/// last succeeds. An endpoint without an entry here fails the test, so nothing new ships unprotected.
/// </summary>
public sealed class AuthorizationMatrixTests(WholeFlowFixture flow) : IClassFixture<WholeFlowFixture>
{
    /// <summary>The records the requests name: a case through the whole flow, and a user at the authority.</summary>
    private sealed record Ids(Guid CaseId, Guid PersonId, Guid ReferralId, string UserId, string IdNumber, string PointCode)
    {
        /// <summary>Two lookalike records for "confirm", two for "reject"; a person with two cases for "split".</summary>
        public (Guid A, Guid B) ToConfirm { get; init; }
        public (Guid A, Guid B) ToReject { get; init; }
        public (Guid Person, Guid Case) ToSplit { get; init; }
        /// <summary>A case helped at the point, never referred: the point may close it.</summary>
        public Guid ToClose { get; init; }
        /// <summary>The classification rules in force: the matrix posts them again as a new version, changing nothing.</summary>
        public System.Text.Json.Nodes.JsonNode? RulesInForce { get; init; }
        /// <summary>Referrals in the state each lifecycle action leaves from, one per action (it is taken once).</summary>
        public LifecycleIds Lifecycle { get; init; } = null!;
        /// <summary>A service point of 盐湖区 in Notification's copy of the offices, a subscription of it to remove and a delivery.</summary>
        public DeliveryIds Delivery { get; init; } = null!;
        /// <summary>Family search's records, each in the state the action on it leaves from (one per action that takes it).</summary>
        public FamilySearchIds FamilySearch { get; init; } = null!;
    }

    private sealed record FamilySearchIds(
        Guid CaseId, Guid PhotoId, Guid PoliceRequestToAnswer, Guid ToRead, Guid ToEdit, Guid ToSubmit, Guid ToApprove, Guid ToReturn,
        Guid ToWithdraw, Guid ReportToRead, Guid MatchToConfirm, Guid MatchToReject);

    /// <summary>
    /// A case of 盐湖区's point in Family search's copy, with a photo and an open police request; notices of 盐湖区's station
    /// in each state an action leaves from (written as the notices' code writes them, FamilySearchRows); two reports taken
    /// at the point, each proposed by the matching pass for a notice like the family's description.
    /// </summary>
    private async Task<FamilySearchIds> PrepareFamilySearchAsync()
    {
        var service = flow.FamilySearch;
        var caseId = await FamilySearchRows.CaseAsync(service, "140802", TestUsers.YanhuPoint);
        Guid photoId;
        using (var point = await service.ClientForAsync(TestUsers.PointStaff()))
        using (var uploaded = await point.SendAsync(UploadPhoto(caseId)))
        {
            uploaded.EnsureSuccessStatusCode();
            photoId = (await uploaded.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("photoId").GetGuid();
        }

        Guid policeRequest;
        using (var station = await service.ClientForAsync(TestUsers.StationStaff()))
        using (var requested = await station.SendAsync(AskPolice(caseId)))
        {
            requested.EnsureSuccessStatusCode();
            policeRequest = (await requested.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
        }

        async Task<Guid> NoticeAsync(string status, FamilySearchRows.Notice? like = null)
        {
            // A notice of its own case each (one open notice per case).
            var notice = (like ?? new FamilySearchRows.Notice()) with
            {
                Id = Guid.NewGuid(), CaseId = Guid.NewGuid(), Status = status, PublishedAt = status == "published" ? DateTimeOffset.UtcNow : null,
            };
            return (await FamilySearchRows.NoticeAsync(service, notice)).Id;
        }

        // The family's description (FamilySearchData.Report, taken at 盐湖区's point): the notices it is proposed for say the same.
        var asTheFamilyDescribes = new FamilySearchRows.Notice
        {
            AgeLow = 68, AgeHigh = 76, HeightCm = 166, FoundOn = new(2026, 11, 1), FoundCounty = "140802",
            Details = new
            {
                name = (string?)null, health = "血压偏高", mentalState = "记忆力差，说不清家在哪里", features = "左眉有痣，门牙缺失，右手缺一根手指",
                clothing = "灰色旧棉袄，黑布鞋", foundPlace = "运城火车站广场", contact = "运城市救助管理站 0359-0000000",
            },
        };
        async Task<(Guid Match, Guid Report)> ProposedAsync()
        {
            var notice = await NoticeAsync("published", asTheFamilyDescribes);
            using var point = await service.ClientForAsync(TestUsers.PointStaff());
            var (report, _) = await FamilySearchData.CreateReportAsync(point, FamilySearchData.Report(servicePointCode: TestUsers.YanhuPoint));
            const string Proposed = "from match_candidates where notice_id = @notice and report_id = @report and status = 'proposed'";
            await TestDatabase.EventuallyAsync(async () =>
                await TestDatabase.ScalarAsync<long>(service.DatabaseConnectionString, $"select count(*) {Proposed}", new { notice, report }) == 1,
                $"the matching pass proposes the notice {notice} for the report {report}");
            return (await TestDatabase.ScalarAsync<Guid>(service.DatabaseConnectionString, $"select id {Proposed}", new { notice, report }), report);
        }

        var toConfirm = await ProposedAsync();
        var toReject = await ProposedAsync();
        return new FamilySearchIds(caseId, photoId, policeRequest, await NoticeAsync("published"), await NoticeAsync("draft"),
            await NoticeAsync("draft"), await NoticeAsync("in_review"), await NoticeAsync("in_review"), await NoticeAsync("published"),
            toReject.Report, toConfirm.Match, toReject.Match);
    }

    private static HttpRequestMessage UploadPhoto(Guid caseId)
    {
        var file = new ByteArrayContent(TestImages.RedBlueJpeg());
        file.Headers.ContentType = new("image/jpeg");
        return new(HttpMethod.Post, new Uri($"/api/family-search/cases/{caseId}/photos", UriKind.Relative))
        {
            Content = new MultipartFormDataContent { { file, "file", "photo.jpg" } },
        };
    }

    private static HttpRequestMessage AskPolice(Guid caseId) => Send(HttpMethod.Post, $"/api/family-search/cases/{caseId}/police-requests",
        new { kind = "identity_check", policeUnit = "运城市公安局盐湖分局", reference = "矩阵测试" });

    private sealed record DeliveryIds(string Office, Guid SubscriptionToRemove, Guid DeliveryId);

    /// <summary>A point of 盐湖区 that Notification knows, subscribed by the city, and one desk item delivered to it.</summary>
    private async Task<DeliveryIds> PrepareDeliveryAsync()
    {
        var office = NewCode();
        await TestDatabase.ExecuteAsync(flow.Notification.DatabaseConnectionString, """
            insert into offices (code, name, kind, county_code, active, version, changed_at)
            values (@Code, '矩阵测试服务点', 'service_point', '140802', true, 1, now())
            """, new { Code = office });
        using var city = await flow.Notification.ClientForAsync(TestUsers.CityAdministrator());
        async Task<Guid> SubscribeAsync()
        {
            using var created = await city.PostAsJsonAsync(new Uri("/api/subscriptions", UriKind.Relative), Subscription(office));
            created.EnsureSuccessStatusCode();
            return (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
        }

        var delivered = await SubscribeAsync();
        var item = Relief.IntegrationTests.Notification.Delivery.DeliveryFixture.ItemFor(office);
        await Relief.IntegrationTests.Notification.Delivery.DeskItems.WriteAsync(flow.Notification.Services, item);
        var delivery = await TestDatabase.ScalarAsync<Guid>(flow.Notification.DatabaseConnectionString,
            "select id from deliveries where notification_id = @Id and subscription_id = @Subscription", new { item.Id, Subscription = delivered });
        return new DeliveryIds(office, await SubscribeAsync(), delivery);
    }

    // Nothing listens there: the delivery is attempted and fails, which the matrix does not look at.
    private static object Subscription(string office) => new
    {
        officeCode = office, kind = "referral_requested", channel = "webhook", format = "wecom", url = "http://127.0.0.1:9/cgi-bin/webhook/send?key=matrix",
    };

    private sealed record LifecycleIds(
        Guid ToAccept, Guid ToReject, Guid ToStart, Guid ToComplete, Guid ToCancel, Guid ToTransfer, Guid ToReopen,
        Guid CaseToReferAgain, Guid ToExtend, Guid ExtensionToApprove, Guid ExtensionToRefuse, Guid CaseWithRelief, Guid ReliefToVoid);

    /// <summary>Referrals opened at 盐湖区's point YH-CC-001 for its station, brought by the city to the state each action needs.</summary>
    private async Task<LifecycleIds> PrepareLifecycleAsync()
    {
        var services = flow.Referral.Services;
        using var city = await flow.Referral.ClientForAsync(TestUsers.CityAdministrator());
        async Task<Guid> InAsync(params string[] path)
        {
            var opened = await Referrals.OpenAsync(services);
            foreach (var action in path)
            {
                await Referrals.ActOkAsync(city, opened.ReferralId, action);
            }

            return opened.ReferralId;
        }

        async Task<Guid> ExtensionAsync()
        {
            var referral = await InAsync("accept");
            using var asked = await city.PostAsJsonAsync(new Uri($"/api/referrals/{referral}/extensions", UriKind.Relative),
                new { days = 5, reason = "矩阵测试 / matrix" });
            asked.EnsureSuccessStatusCode();
            return (await asked.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
        }

        var rejected = await Referrals.OpenAsync(services);
        await Referrals.ActOkAsync(city, rejected.ReferralId, "reject");
        var withRelief = await Referrals.OpenAsync(services);
        var relief = Guid.NewGuid();
        using (var recorded = await city.PutAsJsonAsync(new Uri($"/api/cases/{withRelief.CaseId}/relief/{relief}", UriKind.Relative), new { kind = "food" }))
        {
            recorded.EnsureSuccessStatusCode();
        }

        return new LifecycleIds(await InAsync(), await InAsync(), await InAsync("accept"), await InAsync("accept"), await InAsync(),
            await InAsync(), await InAsync("cancel"), rejected.CaseId, await InAsync("accept"), await ExtensionAsync(), await ExtensionAsync(),
            withRelief.CaseId, relief);
    }

    /// <summary>The throwaway user's office: the matrix renames it, closes and reopens it.</summary>
    private const string ThrowawayOffice = "MX-THROWAWAY";

    /// <summary>
    /// One endpoint's entry. <paramref name="Elsewhere"/> is null only where the role has no county or point scope, and
    /// <paramref name="WrongRole"/> only where every role may call it (scoped): the reason says why.
    /// </summary>
    private sealed record Entry(
        string Service,
        string Endpoint,
        Func<Ids, HttpRequestMessage> Request,
        TestUser InScope,
        TestUser? WrongRole,
        TestUser? Elsewhere,
        string? NoScopeReason = null,
        string? EveryRoleReason = null);

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, new Uri(path, UriKind.Relative));

    private static HttpRequestMessage RegisterAt(string servicePointCode) => new(HttpMethod.Post, new Uri("/api/cases", UriKind.Relative))
    {
        Content = JsonContent.Create(new { servicePointCode, countyCode = "140802", channel = "WalkIn", need = "Food" }),
    };

    private const string AuditorsSeeTheWholeLog = "An auditor's scope is the whole audit log, which holds no case data.";
    private const string EveryoneWorkingACaseReadsTheNetwork =
        "Service points are the network's reference data: every role that works a case reads all of them (the hotline finds the nearest).";
    private const string ListsAreScopedNotRefused =
        "A list holds the reader's scope only (CaseRecordTests: another point's staff get an empty page), so it is never refused.";
    private const string CoverageIsScopedNotRefused = "A county officer's coverage report holds their own county only; the city's holds all.";
    private const string EveryDeskIsItsReadersOwn =
        "A user reads the duty desk of the office their token names, never another's (DeskRoutingTests, DeskStreamTests): there is no other desk to ask for.";
    private const string StatisticsAreScopedNotRefused =
        "Statistics count the reader's scope only (StatisticsTests: a county officer's numbers hold their county only): a filter elsewhere finds nothing, it is never refused.";
    private const string TheCityRunsTheNetwork = "Offices, users and keys are the city administrator's, for the whole network.";
    private const string OneRuleSetForTheCity = "The classification rules are one set for the whole city, and hold no case data.";
    private const string AReportIsTakenWhereTheFamilyAsks =
        "A report is registered in the taker's own county, by the taker (ReportScope): there is no report elsewhere to register it in.";
    private const string EveryRoleReadsReports =
        "Every role reads reports (ReportScope): point staff and hotline operators those they took, the others their county's or all; an auditor all.";

    private static HttpRequestMessage Send(HttpMethod method, string path, object body) =>
        new(method, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };

    private static string NewCode() => $"MX-{Random.Shared.Next(100000, 999999)}";

    private static object NewPoint(string code) => new
    {
        code, name = "矩阵测试服务点", kind = "community_center", countyCode = "140802", address = "矩阵路 1 号",
        longitude = 111.0, latitude = 35.02, openingHours = new { alwaysOpen = true },
    };

    /// <summary>
    /// Public by design: the token endpoint and the browser's side of OpenID Connect are where anonymous callers become
    /// signed-in users; an OpenAPI document describes endpoints and holds no data; published 寻亲公告 are for everyone to
    /// read (their fields only, rate-limited per address: PublicNoticeTests).
    /// </summary>
    private static readonly HashSet<string> PublicByDesign =
    [
        "identity POST /connect/token",
        "identity GET /connect/authorize", "identity POST /connect/authorize",
        "identity GET /connect/endsession", "identity POST /connect/endsession",
        "identity ANY account/login",
        "familysearch GET /api/public/notices/", "familysearch GET /api/public/notices/{id:guid}", "familysearch GET /api/public/notices/{id:guid}/photo",
        .. new[] { "intake", "registry", "referral", "notification", "reporting", "familysearch", "identity" }.Select(service => $"{service} GET /openapi/{{documentName}}.json"),
    ];

    /// <summary>Any signed-in user, for their own account: anonymous callers get 401 (checked below), nobody a 403.</summary>
    private static readonly HashSet<string> AnySignedInUser = ["identity POST /api/account/password"];

    /// <summary>For one service's own client only, never a member of staff (checked below).</summary>
    private static readonly HashSet<string> ServiceOnly =
    [
        "intake POST /internal/cases/persons", "intake POST /internal/cases/facts",
        "intake GET /internal/cases/{id:guid}/notice-facts",
        // The sources' history, for Reporting's client only: HistoryTests checks who may read it.
        "intake GET /internal/history/cases", "referral GET /internal/history/classifications", "referral GET /internal/history/referrals",
        "referral GET /internal/history/relief", "registry GET /internal/history/service-points", "familysearch GET /internal/history/notices",
    ];

    private static IReadOnlyList<Entry> Matrix() =>
    [
        new("intake", "POST /api/cases/", _ => RegisterAt(TestUsers.YanhuPoint),
            TestUsers.PointStaff(), TestUsers.StationStaff(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("intake", "GET /api/cases/", _ => Get("/api/cases?limit=5"),
            TestUsers.PointStaff(), TestUsers.Auditor(), null, ListsAreScopedNotRefused),
        new("intake", "GET /api/cases/{id:guid}", ids => Get($"/api/cases/{ids.CaseId}"),
            TestUsers.PointStaff(), TestUsers.Auditor(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("intake", "GET /api/cases/{id:guid}/record", ids => Get($"/api/cases/{ids.CaseId}/record"),
            TestUsers.PointStaff(), TestUsers.Auditor(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("intake", "PUT /api/cases/{id:guid}", ids => Send(HttpMethod.Put, $"/api/cases/{ids.CaseId}", new { version = 1, need = "Referral", personName = "矩阵测试", idNumber = ids.IdNumber, sex = "Female", estimatedAge = 75 }),
            TestUsers.PointStaff(), TestUsers.Auditor(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("intake", "POST /api/cases/{id:guid}/identity", ids => Send(HttpMethod.Post, $"/api/cases/{ids.CaseId}/identity", new { method = "self_declared" }),
            TestUsers.PointStaff(), TestUsers.Auditor(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("intake", "POST /api/cases/{id:guid}/close", ids => Send(HttpMethod.Post, $"/api/cases/{ids.ToClose}/close", new { outcome = "relief_given" }),
            TestUsers.PointStaff(), TestUsers.StationStaff(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("intake", "GET /api/cases/{id:guid}/id-number", ids => Get($"/api/cases/{ids.CaseId}/id-number?purpose=family+search"),
            TestUsers.StationStaff(), TestUsers.PointStaff(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("intake", "POST /api/cases/find-by-id-number", ids => Send(HttpMethod.Post, "/api/cases/find-by-id-number", new { idNumber = ids.IdNumber }),
            TestUsers.PointStaff(), TestUsers.Auditor(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("intake", "GET /api/audit", _ => Get("/api/audit"),
            TestUsers.Auditor(), TestUsers.CityAdministrator(), null, AuditorsSeeTheWholeLog),

        new("registry", "GET /api/persons/{id:guid}", ids => Get($"/api/persons/{ids.PersonId}"),
            TestUsers.PointStaff(), TestUsers.StationStaff(), TestUsers.CountyOfficer("140821")),
        new("registry", "GET /api/persons/", ids => Get($"/api/persons?caseId={ids.CaseId}"),
            TestUsers.CountyOfficer(), TestUsers.HotlineOperator(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("registry", "GET /api/audit", _ => Get("/api/audit"),
            TestUsers.Auditor(), TestUsers.PointStaff(), null, AuditorsSeeTheWholeLog),
        new("registry", "POST /api/persons/{id:guid}/candidates/{otherId:guid}/confirm",
            ids => new(HttpMethod.Post, new Uri($"/api/persons/{ids.ToConfirm.A}/candidates/{ids.ToConfirm.B}/confirm", UriKind.Relative)),
            TestUsers.CountyOfficer(), TestUsers.PointStaff(), TestUsers.CountyOfficer("140821")),
        new("registry", "POST /api/persons/{id:guid}/candidates/{otherId:guid}/reject",
            ids => new(HttpMethod.Post, new Uri($"/api/persons/{ids.ToReject.A}/candidates/{ids.ToReject.B}/reject", UriKind.Relative)),
            TestUsers.CountyOfficer(), TestUsers.PointStaff(), TestUsers.CountyOfficer("140821")),
        new("registry", "POST /api/persons/{id:guid}/split",
            ids => Send(HttpMethod.Post, $"/api/persons/{ids.ToSplit.Person}/split", new { caseIds = new[] { ids.ToSplit.Case } }),
            TestUsers.CountyOfficer(), TestUsers.PointStaff(), TestUsers.CountyOfficer("140821")),

        new("registry", "GET /api/service-points/", _ => Get("/api/service-points?county=140802"),
            TestUsers.HotlineOperator(), TestUsers.Auditor(), null, EveryoneWorkingACaseReadsTheNetwork),
        new("registry", "GET /api/service-points/nearest", _ => Get("/api/service-points/nearest?lon=111.0&lat=35.0"),
            TestUsers.HotlineOperator(), TestUsers.Auditor(), null, EveryoneWorkingACaseReadsTheNetwork),
        new("registry", "GET /api/service-points/{code}", ids => Get($"/api/service-points/{ids.PointCode}"),
            TestUsers.PointStaff(), TestUsers.Auditor(), null, EveryoneWorkingACaseReadsTheNetwork),
        new("registry", "GET /api/service-points/coverage", _ => Get("/api/service-points/coverage"),
            TestUsers.CountyOfficer(), TestUsers.PointStaff(), null, CoverageIsScopedNotRefused),
        new("registry", "POST /api/service-points/", _ => Send(HttpMethod.Post, "/api/service-points", NewPoint(NewCode())),
            TestUsers.CountyOfficer(), TestUsers.PointStaff(), TestUsers.CountyOfficer("140821")),
        new("registry", "PUT /api/service-points/{code}", ids => Send(HttpMethod.Put, $"/api/service-points/{ids.PointCode}", new
            {
                name = "矩阵测试服务点", kind = "love_station", countyCode = "140802", address = "矩阵路 1 号", longitude = 111.0, latitude = 35.02,
                openingHours = new { alwaysOpen = true }, version = 1,
            }),
            TestUsers.CountyOfficer(), TestUsers.StationStaff(), TestUsers.CountyOfficer("140821")),
        new("registry", "POST /api/service-points/{code}/status", ids => Send(HttpMethod.Post, $"/api/service-points/{ids.PointCode}/status",
                new { status = "closed", version = 2 }),
            TestUsers.CountyOfficer(), TestUsers.HotlineOperator(), TestUsers.CountyOfficer("140821")),

        new("referral", "GET /api/referrals/{id:guid}", ids => Get($"/api/referrals/{ids.ReferralId}"),
            TestUsers.StationStaff(), TestUsers.HotlineOperator(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("referral", "GET /api/referrals/", ids => Get($"/api/referrals?caseId={ids.CaseId}"),
            TestUsers.PointStaff(), TestUsers.Auditor(), TestUsers.CountyOfficer("140821")),
        new("referral", "GET /api/audit", _ => Get("/api/audit"),
            TestUsers.Auditor(), TestUsers.StationStaff(), null, AuditorsSeeTheWholeLog),
        new("referral", "GET /api/cases/{caseId:guid}/classification", ids => Get($"/api/cases/{ids.CaseId}/classification"),
            TestUsers.PointStaff(), TestUsers.HotlineOperator(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("referral", "GET /api/classification/rules/", _ => Get("/api/classification/rules"),
            TestUsers.Auditor(), TestUsers.HotlineOperator(), null, OneRuleSetForTheCity),
        new("referral", "GET /api/classification/rules/versions", _ => Get("/api/classification/rules/versions"),
            TestUsers.StationStaff(), TestUsers.HotlineOperator(), null, OneRuleSetForTheCity),
        new("referral", "GET /api/classification/rules/{version:int}", _ => Get("/api/classification/rules/1"),
            TestUsers.PointStaff(), TestUsers.HotlineOperator(), null, OneRuleSetForTheCity),
        new("referral", "POST /api/classification/rules/", ids => Send(HttpMethod.Post, "/api/classification/rules",
                new { comment = "矩阵测试：同样的规则再发布一次", rules = ids.RulesInForce }),
            TestUsers.CityAdministrator(), TestUsers.CountyOfficer(), null, OneRuleSetForTheCity),
        new("referral", "GET /api/referrals/inbox", _ => Get("/api/referrals/inbox"),
            TestUsers.StationStaff(), TestUsers.PointStaff(), null, ListsAreScopedNotRefused),
        new("referral", "POST /api/referrals/{id:guid}/accept", ids => Send(HttpMethod.Post, $"/api/referrals/{ids.Lifecycle.ToAccept}/accept", new { version = 1 }),
            TestUsers.StationStaff(), TestUsers.PointStaff(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("referral", "POST /api/referrals/{id:guid}/reject", ids => Send(HttpMethod.Post, $"/api/referrals/{ids.Lifecycle.ToReject}/reject",
                new { version = 1, reason = "no_capacity" }),
            TestUsers.StationStaff(), TestUsers.CountyOfficer(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("referral", "POST /api/referrals/{id:guid}/start", ids => Send(HttpMethod.Post, $"/api/referrals/{ids.Lifecycle.ToStart}/start", new { version = 2 }),
            TestUsers.StationStaff(), TestUsers.PointStaff(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("referral", "POST /api/referrals/{id:guid}/complete", ids => Send(HttpMethod.Post, $"/api/referrals/{ids.Lifecycle.ToComplete}/complete",
                new { version = 2, outcome = "escorted_home" }),
            TestUsers.StationStaff(), TestUsers.CountyOfficer(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("referral", "POST /api/referrals/{id:guid}/cancel", ids => Send(HttpMethod.Post, $"/api/referrals/{ids.Lifecycle.ToCancel}/cancel",
                new { version = 1, comment = "矩阵测试 / matrix" }),
            TestUsers.PointStaff(), TestUsers.StationStaff(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("referral", "POST /api/referrals/{id:guid}/transfer", ids => Send(HttpMethod.Post, $"/api/referrals/{ids.Lifecycle.ToTransfer}/transfer",
                new { version = 1, toCounty = "140821" }),
            TestUsers.StationStaff(), TestUsers.PointStaff(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("referral", "POST /api/referrals/{id:guid}/reopen", ids => Send(HttpMethod.Post, $"/api/referrals/{ids.Lifecycle.ToReopen}/reopen",
                new { version = 2, comment = "矩阵测试 / matrix" }),
            TestUsers.StationStaff(), TestUsers.PointStaff(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("referral", "POST /api/cases/{caseId:guid}/referrals", ids => Send(HttpMethod.Post, $"/api/cases/{ids.Lifecycle.CaseToReferAgain}/referrals", new { }),
            TestUsers.PointStaff(), TestUsers.StationStaff(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("referral", "POST /api/referrals/{id:guid}/extensions", ids => Send(HttpMethod.Post, $"/api/referrals/{ids.Lifecycle.ToExtend}/extensions",
                new { days = 5, reason = "矩阵测试 / matrix" }),
            TestUsers.StationStaff(), TestUsers.CountyOfficer(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("referral", "GET /api/extensions/", _ => Get("/api/extensions?status=pending"),
            TestUsers.CountyOfficer(), TestUsers.StationStaff(), null, ListsAreScopedNotRefused),
        new("referral", "POST /api/extensions/{id:guid}/approve", ids => Send(HttpMethod.Post, $"/api/extensions/{ids.Lifecycle.ExtensionToApprove}/approve", new { }),
            TestUsers.CountyOfficer(), TestUsers.StationStaff(), TestUsers.CountyOfficer("140821")),
        new("referral", "POST /api/extensions/{id:guid}/refuse", ids => Send(HttpMethod.Post, $"/api/extensions/{ids.Lifecycle.ExtensionToRefuse}/refuse",
                new { comment = "矩阵测试 / matrix" }),
            TestUsers.CountyOfficer(), TestUsers.PointStaff(), TestUsers.CountyOfficer("140821")),
        new("referral", "GET /api/cases/{caseId:guid}/relief/", ids => Get($"/api/cases/{ids.Lifecycle.CaseWithRelief}/relief"),
            TestUsers.PointStaff(), TestUsers.HotlineOperator(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("referral", "PUT /api/cases/{caseId:guid}/relief/{actionId:guid}", ids => Send(HttpMethod.Put,
                $"/api/cases/{ids.Lifecycle.CaseWithRelief}/relief/{Guid.NewGuid()}", new { kind = "water" }),
            TestUsers.StationStaff(), TestUsers.Auditor(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("referral", "POST /api/relief/{actionId:guid}/void", ids => Send(HttpMethod.Post, $"/api/relief/{ids.Lifecycle.ReliefToVoid}/void",
                new { reason = "矩阵测试 / matrix" }),
            TestUsers.CountyOfficer(), TestUsers.HotlineOperator(), TestUsers.CountyOfficer("140821")),

        new("notification", "GET /api/notifications/", ids => Get($"/api/notifications?caseId={ids.CaseId}"),
            TestUsers.StationStaff(), TestUsers.PointStaff(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("notification", "GET /api/desk/items", _ => Get("/api/desk/items"),
            TestUsers.StationStaff(), TestUsers.Auditor(), null, EveryDeskIsItsReadersOwn),
        new("notification", "GET /api/desk/stream", _ => Get("/api/desk/stream"),
            TestUsers.PointStaff(), TestUsers.Auditor(), null, EveryDeskIsItsReadersOwn),
        new("notification", "POST /api/desk/read", _ => Send(HttpMethod.Post, "/api/desk/read", new { upTo = 1 }),
            TestUsers.CountyOfficer(), TestUsers.Auditor(), null, EveryDeskIsItsReadersOwn),
        new("notification", "GET /api/desk/unread", _ => Get("/api/desk/unread"),
            TestUsers.HotlineOperator(), TestUsers.Auditor(), null, EveryDeskIsItsReadersOwn),
        new("notification", "GET /api/audit", _ => Get("/api/audit"),
            TestUsers.Auditor(), TestUsers.CountyOfficer(), null, AuditorsSeeTheWholeLog),
        new("notification", "GET /api/subscriptions/", _ => Get("/api/subscriptions"),
            TestUsers.CountyOfficer(), TestUsers.StationStaff(), null, ListsAreScopedNotRefused),
        new("notification", "POST /api/subscriptions/", ids => Send(HttpMethod.Post, "/api/subscriptions", Subscription(ids.Delivery.Office)),
            TestUsers.CountyOfficer(), TestUsers.PointStaff(), TestUsers.CountyOfficer("140821")),
        new("notification", "DELETE /api/subscriptions/{id:guid}",
            ids => new(HttpMethod.Delete, new Uri($"/api/subscriptions/{ids.Delivery.SubscriptionToRemove}", UriKind.Relative)),
            TestUsers.CountyOfficer(), TestUsers.HotlineOperator(), TestUsers.CountyOfficer("140821")),
        new("notification", "GET /api/deliveries/", _ => Get("/api/deliveries?status=failed"),
            TestUsers.CityAdministrator(), TestUsers.StationStaff(), null, ListsAreScopedNotRefused),
        new("notification", "GET /api/deliveries/{id:guid}", ids => Get($"/api/deliveries/{ids.Delivery.DeliveryId}"),
            TestUsers.CountyOfficer(), TestUsers.PointStaff(), TestUsers.CountyOfficer("140821")),

        new("reporting", "GET /api/statistics/summary", _ => Get("/api/statistics/summary?from=2026-11-01&to=2026-11-30"),
            TestUsers.CountyOfficer(), TestUsers.StationStaff(), null, StatisticsAreScopedNotRefused),
        new("reporting", "GET /api/statistics/cases", _ => Get("/api/statistics/cases?dimension=county&value=140802"),
            TestUsers.PointStaff(), TestUsers.Auditor(), null, StatisticsAreScopedNotRefused),
        new("reporting", "GET /api/statistics/monthly.xlsx", _ => Get("/api/statistics/monthly.xlsx?month=2026-11"),
            TestUsers.CountyOfficer(), TestUsers.HotlineOperator(), null, StatisticsAreScopedNotRefused),
        new("reporting", "GET /api/statistics/monthly.csv", _ => Get("/api/statistics/monthly.csv?month=2026-11"),
            TestUsers.CityAdministrator(), TestUsers.StationStaff(), null, StatisticsAreScopedNotRefused),
        new("reporting", "GET /api/statistics/today", _ => Get("/api/statistics/today"),
            TestUsers.CityAdministrator(), TestUsers.PointStaff(), null, StatisticsAreScopedNotRefused),
        new("reporting", "POST /api/statistics/rebuild", _ => new HttpRequestMessage(HttpMethod.Post, new Uri("/api/statistics/rebuild", UriKind.Relative)),
            TestUsers.CityAdministrator(), TestUsers.CountyOfficer(), null, TheCityRunsTheNetwork),
        new("reporting", "GET /api/audit", _ => Get("/api/audit"),
            TestUsers.Auditor(), TestUsers.CityAdministrator(), null, AuditorsSeeTheWholeLog),

        new("familysearch", "GET /api/audit", _ => Get("/api/audit"),
            TestUsers.Auditor(), TestUsers.StationStaff(), null, AuditorsSeeTheWholeLog),
        new("familysearch", "GET /api/family-search/notices/", _ => Get("/api/family-search/notices?status=published"),
            TestUsers.StationStaff(), TestUsers.PointStaff(), null, ListsAreScopedNotRefused),
        new("familysearch", "GET /api/family-search/notices/{id:guid}", ids => Get($"/api/family-search/notices/{ids.FamilySearch.ToRead}"),
            TestUsers.Auditor(), TestUsers.HotlineOperator(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("familysearch", "PUT /api/family-search/notices/{id:guid}", ids => Send(HttpMethod.Put, $"/api/family-search/notices/{ids.FamilySearch.ToEdit}",
                new
                {
                    version = 1, sex = "male", ageLow = 65, ageHigh = 75, heightCm = 168, foundOn = "2026-11-20", foundCounty = "140802",
                    details = new { features = "左手背有疤痕", foundPlace = "运城站广场", contact = "运城市救助管理站 0359-0000000" },
                }),
            TestUsers.StationStaff(), TestUsers.Auditor(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("familysearch", "POST /api/family-search/notices/{id:guid}/submit",
            ids => Send(HttpMethod.Post, $"/api/family-search/notices/{ids.FamilySearch.ToSubmit}/submit", new { version = 1 }),
            TestUsers.StationStaff(), TestUsers.PointStaff(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        // Four eyes: the county officer approves what station staff submitted.
        new("familysearch", "POST /api/family-search/notices/{id:guid}/approve",
            ids => Send(HttpMethod.Post, $"/api/family-search/notices/{ids.FamilySearch.ToApprove}/approve", new { version = 1 }),
            TestUsers.CountyOfficer(), TestUsers.Auditor(), TestUsers.CountyOfficer("140821")),
        new("familysearch", "POST /api/family-search/notices/{id:guid}/return",
            ids => Send(HttpMethod.Post, $"/api/family-search/notices/{ids.FamilySearch.ToReturn}/return", new { version = 1, comment = "矩阵测试：请补充衣着" }),
            TestUsers.StationStaff(), TestUsers.HotlineOperator(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("familysearch", "POST /api/family-search/notices/{id:guid}/withdraw",
            ids => Send(HttpMethod.Post, $"/api/family-search/notices/{ids.FamilySearch.ToWithdraw}/withdraw",
                new { version = 1, reason = "other", comment = "矩阵测试 / matrix" }),
            TestUsers.CountyOfficer(), TestUsers.Auditor(), TestUsers.CountyOfficer("140821")),

        new("familysearch", "POST /api/family-search/cases/{caseId:guid}/photos", ids => UploadPhoto(ids.FamilySearch.CaseId),
            TestUsers.PointStaff(), TestUsers.Auditor(), TestUsers.PointStaff(TestUsers.LinyiPoint, "140821")),
        new("familysearch", "GET /api/family-search/photos/{id:guid}", ids => Get($"/api/family-search/photos/{ids.FamilySearch.PhotoId}"),
            TestUsers.StationStaff(), TestUsers.HotlineOperator(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),

        new("familysearch", "POST /api/family-search/cases/{caseId:guid}/police-requests", ids => AskPolice(ids.FamilySearch.CaseId),
            TestUsers.StationStaff(), TestUsers.PointStaff(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("familysearch", "POST /api/family-search/police-requests/{id:guid}/result",
            ids => Send(HttpMethod.Post, $"/api/family-search/police-requests/{ids.FamilySearch.PoliceRequestToAnswer}/result",
                new { result = "no_record", note = "矩阵测试 / matrix" }),
            TestUsers.CountyOfficer(), TestUsers.Auditor(), TestUsers.CountyOfficer("140821")),
        new("familysearch", "GET /api/family-search/police-requests", ids => Get($"/api/family-search/police-requests?caseId={ids.FamilySearch.CaseId}"),
            TestUsers.StationStaff(), TestUsers.PointStaff(), null, ListsAreScopedNotRefused),

        new("familysearch", "POST /api/family-search/reports/", _ => Send(HttpMethod.Post, "/api/family-search/reports",
                FamilySearchData.Report(channel: "hotline", servicePointCode: null)),
            TestUsers.HotlineOperator(), TestUsers.Auditor(), null, AReportIsTakenWhereTheFamilyAsks),
        new("familysearch", "GET /api/family-search/reports/", _ => Get("/api/family-search/reports?status=open"),
            TestUsers.PointStaff(), null, null, ListsAreScopedNotRefused, EveryRoleReadsReports),
        new("familysearch", "GET /api/family-search/reports/{id:guid}", ids => Get($"/api/family-search/reports/{ids.FamilySearch.ReportToRead}"),
            TestUsers.StationStaff(), null, TestUsers.StationStaff(TestUsers.LinyiStation, "140821"), EveryRoleReason: EveryRoleReadsReports),

        new("familysearch", "GET /api/family-search/notices/{id:guid}/candidates",
            ids => Get($"/api/family-search/notices/{ids.FamilySearch.ToRead}/candidates"),
            TestUsers.StationStaff(), TestUsers.PointStaff(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("familysearch", "GET /api/family-search/reports/{id:guid}/candidates",
            ids => Get($"/api/family-search/reports/{ids.FamilySearch.ReportToRead}/candidates"),
            TestUsers.CountyOfficer(), null, TestUsers.CountyOfficer("140821"), EveryRoleReason: EveryRoleReadsReports),
        new("familysearch", "POST /api/family-search/matches/{matchId:guid}/confirm",
            ids => Send(HttpMethod.Post, $"/api/family-search/matches/{ids.FamilySearch.MatchToConfirm}/confirm", new { comment = "矩阵测试 / matrix" }),
            TestUsers.StationStaff(), TestUsers.Auditor(), TestUsers.StationStaff(TestUsers.LinyiStation, "140821")),
        new("familysearch", "POST /api/family-search/matches/{matchId:guid}/reject",
            ids => Send(HttpMethod.Post, $"/api/family-search/matches/{ids.FamilySearch.MatchToReject}/reject", new { comment = "矩阵测试 / matrix" }),
            TestUsers.CountyOfficer(), TestUsers.PointStaff(), TestUsers.CountyOfficer("140821")),
        new("identity", "POST /api/admin/offices/", _ => Send(HttpMethod.Post, "/api/admin/offices",
                new { code = NewCode(), name = "矩阵测试点", kind = "service_point", countyCode = "140802" }),
            TestUsers.CityAdministrator(), TestUsers.CountyOfficer(), null, TheCityRunsTheNetwork),
        new("identity", "GET /api/admin/offices/", _ => Get("/api/admin/offices"),
            TestUsers.CityAdministrator(), TestUsers.Auditor(), null, TheCityRunsTheNetwork),
        new("identity", "POST /api/admin/users/", _ => Send(HttpMethod.Post, "/api/admin/users",
                new { userName = $"mx-{Guid.NewGuid():N}"[..20], password = "matrix-password-1", officeCode = "CITY-BUREAU", role = "auditor" }),
            TestUsers.CityAdministrator(), TestUsers.CountyOfficer(), null, TheCityRunsTheNetwork),
        new("identity", "GET /api/admin/users/", _ => Get("/api/admin/users"),
            TestUsers.CityAdministrator(), TestUsers.StationStaff(), null, TheCityRunsTheNetwork),
        new("identity", "PUT /api/admin/users/{id}/role", ids => Send(HttpMethod.Put, $"/api/admin/users/{ids.UserId}/role", new { role = "point_staff" }),
            TestUsers.CityAdministrator(), TestUsers.PointStaff(), null, TheCityRunsTheNetwork),
        new("identity", "GET /api/admin/offices/{code}", _ => Get("/api/admin/offices/CITY-BUREAU"),
            TestUsers.CityAdministrator(), TestUsers.Auditor(), null, TheCityRunsTheNetwork),
        new("identity", "PUT /api/admin/offices/{code}", _ => Send(HttpMethod.Put, $"/api/admin/offices/{ThrowawayOffice}",
                new { name = "矩阵测试点（改名）", countyCode = "140802" }),
            TestUsers.CityAdministrator(), TestUsers.CountyOfficer(), null, TheCityRunsTheNetwork),
        new("identity", "POST /api/admin/offices/{code}/deactivate", _ => Send(HttpMethod.Post, $"/api/admin/offices/{ThrowawayOffice}/deactivate", new { }),
            TestUsers.CityAdministrator(), TestUsers.CountyOfficer(), null, TheCityRunsTheNetwork),
        new("identity", "POST /api/admin/offices/{code}/reactivate", _ => Send(HttpMethod.Post, $"/api/admin/offices/{ThrowawayOffice}/reactivate", new { }),
            TestUsers.CityAdministrator(), TestUsers.Auditor(), null, TheCityRunsTheNetwork),
        new("identity", "GET /api/admin/users/{id}", ids => Get($"/api/admin/users/{ids.UserId}"),
            TestUsers.CityAdministrator(), TestUsers.Auditor(), null, TheCityRunsTheNetwork),
        new("identity", "PUT /api/admin/users/{id}/office", ids => Send(HttpMethod.Put, $"/api/admin/users/{ids.UserId}/office", new { officeCode = ThrowawayOffice }),
            TestUsers.CityAdministrator(), TestUsers.CountyOfficer(), null, TheCityRunsTheNetwork),
        new("identity", "POST /api/admin/users/{id}/disable", ids => Send(HttpMethod.Post, $"/api/admin/users/{ids.UserId}/disable", new { }),
            TestUsers.CityAdministrator(), TestUsers.StationStaff(), null, TheCityRunsTheNetwork),
        new("identity", "POST /api/admin/users/{id}/enable", ids => Send(HttpMethod.Post, $"/api/admin/users/{ids.UserId}/enable", new { }),
            TestUsers.CityAdministrator(), TestUsers.StationStaff(), null, TheCityRunsTheNetwork),
        new("identity", "POST /api/admin/users/{id}/password", ids => Send(HttpMethod.Post, $"/api/admin/users/{ids.UserId}/password", new { password = "matrix-password-2" }),
            TestUsers.CityAdministrator(), TestUsers.Auditor(), null, TheCityRunsTheNetwork),
        new("identity", "POST /api/admin/signing-keys/rotate", _ => new HttpRequestMessage(HttpMethod.Post, new Uri("/api/admin/signing-keys/rotate", UriKind.Relative)),
            TestUsers.CityAdministrator(), TestUsers.CountyOfficer(), null, TheCityRunsTheNetwork),
        new("identity", "GET /api/audit", _ => Get("/api/audit"),
            TestUsers.Auditor(), TestUsers.CityAdministrator(), null, AuditorsSeeTheWholeLog),
    ];

    private async Task<Guid> RegisterHelpedAtThePointAsync()
    {
        using var staff = await ClientAsync("intake", TestUsers.PointStaff(), flow);
        // An identity document given (not yet checked) and food: helped at the point, never referred by the rules.
        using var registered = await staff.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
        {
            servicePointCode = TestUsers.YanhuPoint, countyCode = "140802", channel = "WalkIn", need = "Food",
            idNumber = WholeFlowFixture.NewIdNumber(),
        });
        registered.EnsureSuccessStatusCode();
        return (await registered.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<HttpClient> ClientAsync(string service, TestUser? user, WholeFlowFixture flow)
    {
        var client = service switch
        {
            "intake" => flow.Intake.CreateClient(),
            "registry" => flow.Registry.CreateClient(),
            "referral" => flow.Referral.CreateClient(),
            "notification" => flow.Notification.CreateClient(),
            "reporting" => flow.Reporting.CreateClient(),
            "familysearch" => flow.FamilySearch.CreateClient(),
            "identity" => SharedAuthority.Instance.CreateClient(),
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
        ("reporting", flow.Reporting.Services), ("familysearch", flow.FamilySearch.Services),
        ("identity", SharedAuthority.Instance.Services),
    ];

    [Fact]
    public void Every_endpoint_of_every_service_has_an_entry_in_the_matrix()
    {
        var covered = Matrix().Select(entry => $"{entry.Service} {entry.Endpoint}").Concat(PublicByDesign).Concat(AnySignedInUser)
            .Concat(ServiceOnly).ToHashSet();
        var endpoints = Hosts().SelectMany(host => host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText is not ("/health" or "/alive"))
            // A Razor page (the authority's sign-in page) answers any method: it is listed as "ANY".
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"])
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
        var idNumber = NewIdNumber();
        var flowIds = await flow.RegisterReferredCaseAsync("矩阵测试", idNumber);
        // A user of its own whose role the matrix may "change" (to the role it already has).
        var throwaway = await SharedAuthority.SignIn.SubjectAsync(TestUsers.PointStaff(ThrowawayOffice, "140802"));
        var pointCode = NewCode();
        using (var officer = await ClientAsync("registry", TestUsers.CountyOfficer(), flow))
        using (var created = await officer.PostAsJsonAsync("/api/service-points", NewPoint(pointCode)))
        {
            created.EnsureSuccessStatusCode();
        }

        var lookalike = $"矩阵相似{Random.Shared.Next(1000, 9999)}";
        var toConfirm = (await flow.RegisterReferredCaseAsync(lookalike, null), await flow.RegisterReferredCaseAsync(lookalike, null));
        var toReject = (await flow.RegisterReferredCaseAsync(lookalike + "乙", null), await flow.RegisterReferredCaseAsync(lookalike + "乙", null));
        var splitId = NewIdNumber();
        var toSplit = (await flow.RegisterReferredCaseAsync("矩阵拆分", splitId), await flow.RegisterReferredCaseAsync("矩阵拆分", splitId));
        JsonNode? rulesInForce;
        using (var referralAdmin = await ClientAsync("referral", TestUsers.CityAdministrator(), flow))
        {
            rulesInForce = (await referralAdmin.GetFromJsonAsync<JsonObject>(new Uri("/api/classification/rules", UriKind.Relative)))!["rules"];
        }

        var ids = new Ids(flowIds.CaseId, flowIds.PersonId, flowIds.ReferralId, throwaway, idNumber, pointCode)
        {
            RulesInForce = rulesInForce,
            ToConfirm = (toConfirm.Item1.PersonId, toConfirm.Item2.PersonId),
            ToReject = (toReject.Item1.PersonId, toReject.Item2.PersonId),
            ToSplit = (toSplit.Item1.PersonId, toSplit.Item2.CaseId),
            ToClose = await RegisterHelpedAtThePointAsync(),
            Lifecycle = await PrepareLifecycleAsync(),
            Delivery = await PrepareDeliveryAsync(),
            FamilySearch = await PrepareFamilySearchAsync(),
        };
        var failures = new List<string>();

        foreach (var entry in Matrix())
        {
            async Task<HttpStatusCode> Send(TestUser? user)
            {
                using var client = await ClientAsync(entry.Service, user, flow);
                using var request = entry.Request(ids);
                // Headers only: a live feed's body never ends; disposing the response is the client going away.
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                return response.StatusCode;
            }

            var name = $"{entry.Service} {entry.Endpoint}";
            if (await Send(null) is var anonymous && anonymous != HttpStatusCode.Unauthorized)
            {
                failures.Add($"{name}: anonymous got {(int)anonymous}, expected 401");
            }

            if (entry.WrongRole is null)
            {
                Assert.False(string.IsNullOrWhiteSpace(entry.EveryRoleReason), $"{name}: no wrong role and no reason why");
            }
            else if (await Send(entry.WrongRole) is var wrongRole && wrongRole != HttpStatusCode.Forbidden)
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

        // Intake's person of a case: Registry's client token only; its facts: Referral's only; its notice facts: FamilySearch's only; no member of staff, whatever
        // their role, and neither service the other's.
        foreach (var (endpoint, client, otherClient) in new[]
        {
            ("intake POST /internal/cases/persons", (Authority.RegistryClientId, Authority.RegistryClientSecret), (Authority.ReferralClientId, Authority.ReferralClientSecret)),
            ("intake POST /internal/cases/facts", (Authority.ReferralClientId, Authority.ReferralClientSecret), (Authority.RegistryClientId, Authority.RegistryClientSecret)),
            ("intake POST /internal/cases/facts", (Authority.ReportingClientId, Authority.ReportingClientSecret), (Authority.FamilySearchClientId, Authority.FamilySearchClientSecret)),
            ("intake GET /internal/cases/{id:guid}/notice-facts", (Authority.FamilySearchClientId, Authority.FamilySearchClientSecret), (Authority.ReferralClientId, Authority.ReferralClientSecret)),
        })
        {
            HttpRequestMessage Request() => endpoint.Split(' ') is [_, "POST", var path]
                ? Send(HttpMethod.Post, path, new { ids = new[] { ids.CaseId } })
                : new HttpRequestMessage(HttpMethod.Get, new Uri($"/internal/cases/{ids.CaseId}/notice-facts", UriKind.Relative));
            using var intake = flow.Intake.CreateClient();
            if ((await intake.SendAsync(Request())).StatusCode != HttpStatusCode.Unauthorized)
            {
                failures.Add($"{endpoint}: anonymous was not refused with 401");
            }

            foreach (var staff in new[] { TestUsers.CityAdministrator(), TestUsers.StationStaff(), TestUsers.PointStaff() })
            {
                using var asStaff = await ClientAsync("intake", staff, flow);
                if ((await asStaff.SendAsync(Request())).StatusCode != HttpStatusCode.Forbidden)
                {
                    failures.Add($"{endpoint}: {staff.Role} was not refused with 403");
                }
            }

            using var asOther = flow.Intake.CreateClient();
            asOther.DefaultRequestHeaders.Authorization = new("Bearer", await IdentityAuthorityClient.GetServiceTokenAsync(
                SharedAuthority.Instance.CreateClient(), otherClient.Item1, otherClient.Item2));
            if ((await asOther.SendAsync(Request())).StatusCode != HttpStatusCode.Forbidden)
            {
                failures.Add($"{endpoint}: {otherClient.Item1} was not refused with 403");
            }

            using var asService = flow.Intake.CreateClient();
            asService.DefaultRequestHeaders.Authorization = new("Bearer", await IdentityAuthorityClient.GetServiceTokenAsync(
                SharedAuthority.Instance.CreateClient(), client.Item1, client.Item2));
            using var answer = await asService.SendAsync(Request());
            if (answer.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"{endpoint}: {client.Item1}'s own client was refused");
            }
            else if (endpoint.Contains("POST", StringComparison.Ordinal)
                && (await answer.Content.ReadFromJsonAsync<JsonArray>())!.SingleOrDefault()?["caseId"]?.GetValue<Guid>() != ids.CaseId)
            {
                failures.Add($"{endpoint}: {client.Item1}'s own client did not get the case it asked for");
            }
        }

        using (var anonymous = SharedAuthority.Instance.CreateClient())
        {
            foreach (var endpoint in AnySignedInUser)
            {
                var parts = endpoint.Split(' ');
                using var request = Send(new HttpMethod(parts[1]), parts[2], new { });
                if ((await anonymous.SendAsync(request)).StatusCode != HttpStatusCode.Unauthorized)
                {
                    failures.Add($"{endpoint}: anonymous was not refused with 401");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
