using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MassTransit;
using Relief.Intake.Contracts;
using Relief.IntegrationTests.Infrastructure;
using Relief.IntegrationTests.Referral;
using Relief.Referral.Contracts;
using Relief.Registry.Contracts;
using Relief.Testing;

namespace Relief.IntegrationTests.History;

/// <summary>
/// The sources' history (<c>GET /internal/history/{stream}</c>) that Reporting rebuilds its read model from: for data
/// made through the services' own APIs, each stream gives the events that crossed the bus — the same content, in the order
/// they happened, across pages — and only Reporting's client may read it.
/// </summary>
public sealed class HistoryTests(WholeFlowFixture flow) : IClassFixture<WholeFlowFixture>
{
    /// <summary>As the services' HTTP API writes messages (camelCase, enums by name), for the bus's side of the comparison.</summary>
    private static readonly JsonSerializerOptions ApiJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [Fact]
    public async Task Each_stream_gives_the_events_published_on_the_bus_in_order_across_pages()
    {
        using var staff = await flow.Intake.ClientForAsync(TestUsers.PointStaff());
        using var referralCity = await flow.Referral.ClientForAsync(TestUsers.CityAdministrator());

        // Referred cases: one accepted and completed, one rejected, one transferred to 临猗县 whose new referral goes overdue.
        var completed = await flow.RegisterReferredCaseAsync("史料甲", WholeFlowFixture.NewIdNumber());
        var rejected = await flow.RegisterReferredCaseAsync("史料乙", null);
        var transferred = await flow.RegisterReferredCaseAsync("史料丙", null);
        await Referrals.ActOkAsync(referralCity, completed.ReferralId, "accept");
        await Referrals.ActOkAsync(referralCity, completed.ReferralId, "complete");
        await Referrals.ActOkAsync(referralCity, rejected.ReferralId, "reject");
        var onward = (await Referrals.ActOkAsync(referralCity, transferred.ReferralId, "transfer")).GetProperty("id").GetGuid();
        // A deadline of the new referral due now, fired by Referral's own watcher (a second level: the first, whose time the
        // request announced, stays as it was).
        await TestDatabase.ExecuteAsync(flow.Referral.DatabaseConnectionString, """
            insert into deadlines (id, referral_id, kind, level, round, due_at)
            values (gen_random_uuid(), @Id, 'acceptance', 2, 1, now() - interval '1 second')
            """, new { Id = onward });

        // A case helped at the point: identity checked, completed later (sex and age change), relief given, closed.
        using var registered = await staff.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
        {
            servicePointCode = TestUsers.YanhuPoint, countyCode = "140802", channel = "WalkIn", need = "Food", sex = "Female", estimatedAge = 30,
            idNumber = WholeFlowFixture.NewIdNumber(),
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var helped = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await staff.PostAsJsonAsync(new Uri($"/api/cases/{helped}/identity", UriKind.Relative), new { method = "id_card_checked" })).EnsureSuccessStatusCode();
        var record = await staff.GetFromJsonAsync<JsonObject>(new Uri($"/api/cases/{helped}/record", UriKind.Relative));
        (await staff.PutAsJsonAsync(new Uri($"/api/cases/{helped}", UriKind.Relative), new
        {
            version = record!["version"]!.GetValue<int>(), need = "Food", sex = "Male", estimatedAge = 41, keepIdNumber = true,
        })).EnsureSuccessStatusCode();
        await flow.Probe.WaitForAsync<CaseClassified>(c => c.CaseId == helped);
        var actions = new[]
        {
            (Id: Guid.NewGuid(), Body: (object)new { kind = "travel_voucher", amount = 86.5m, details = new { destination = "140821" } }),
            (Id: Guid.NewGuid(), Body: new { kind = "travel_voucher", amount = 120m, details = new { destination = "110105" } }),
            (Id: Guid.NewGuid(), Body: new { kind = "travel_voucher", amount = 40m, details = new { destination = "夏县汽车站" } }),
            (Id: Guid.NewGuid(), Body: new { kind = "travel_voucher", amount = 300m, details = new { destination = "北京" } }),
            (Id: Guid.NewGuid(), Body: new { kind = "food" }),
        };
        foreach (var (id, body) in actions)
        {
            (await referralCity.PutAsJsonAsync(new Uri($"/api/cases/{helped}/relief/{id}", UriKind.Relative), body)).EnsureSuccessStatusCode();
        }

        (await referralCity.PostAsJsonAsync(new Uri($"/api/relief/{actions[^1].Id}/void", UriKind.Relative), new { reason = "重复登记 / twice" }))
            .EnsureSuccessStatusCode();
        (await staff.PostAsJsonAsync(new Uri($"/api/cases/{helped}/close", UriKind.Relative), new { outcome = "relief_given" })).EnsureSuccessStatusCode();

        // Service points: one created, then renamed (version 2).
        var point = $"HS-{Random.Shared.Next(100000, 999999)}";
        using var officer = await flow.Registry.ClientForAsync(TestUsers.CountyOfficer());
        (await officer.PostAsJsonAsync(new Uri("/api/service-points", UriKind.Relative), new
        {
            code = point, name = "史料测试服务点", kind = "community_center", countyCode = "140802", address = "史料路 1 号",
            longitude = 111.0, latitude = 35.02, openingHours = new { alwaysOpen = true },
        })).EnsureSuccessStatusCode();
        (await officer.PutAsJsonAsync(new Uri($"/api/service-points/{point}", UriKind.Relative), new
        {
            name = "史料测试服务点（改名）", kind = "love_station", countyCode = "140802", address = "史料路 1 号", longitude = 111.0,
            latitude = 35.02, openingHours = new { alwaysOpen = true }, version = 1,
        })).EnsureSuccessStatusCode();

        await flow.Probe.WaitForAsync<ReferralOverdue>(o => o.ReferralId == onward);
        await flow.Probe.WaitForAsync<CaseClosed>(c => c.CaseId == helped);
        await flow.Probe.WaitForAsync<ServicePointChanged>(p => p.Code == point && p.Version == 2);

        HashSet<Guid> cases = [completed.CaseId, rejected.CaseId, transferred.CaseId, helped];
        using var reporting = await ReportingClientAsync(flow.Intake);
        await SameAsBusAsync(reporting, "cases", () => Published<CaseRegistered>(e => cases.Contains(e.CaseId))
            .Concat(Published<IdentityConfirmed>(e => cases.Contains(e.CaseId))).Concat(Published<CaseUpdated>(e => cases.Contains(e.CaseId)))
            .Concat(Published<CaseClosed>(e => cases.Contains(e.CaseId))), message => (Guid)message["caseId"]!, expectedAtLeast: 7);

        using var referralReader = await ReportingClientAsync(flow.Referral);
        await SameAsBusAsync(referralReader, "classifications", () => Published<CaseClassified>(e => cases.Contains(e.CaseId)),
            message => (Guid)message["caseId"]!, expectedAtLeast: 4);
        await SameAsBusAsync(referralReader, "referrals", () => Published<ReferralRequested>(e => cases.Contains(e.CaseId))
            .Concat(Published<ReferralAccepted>(e => cases.Contains(e.CaseId))).Concat(Published<ReferralRejected>(e => cases.Contains(e.CaseId)))
            .Concat(Published<ReferralStatusChanged>(e => cases.Contains(e.CaseId))).Concat(Published<ReferralCompleted>(e => cases.Contains(e.CaseId)))
            .Concat(Published<ReferralOverdue>(e => cases.Contains(e.CaseId))), message => (Guid)message["referralId"]!, expectedAtLeast: 9);
        var relief = await SameAsBusAsync(referralReader, "relief", () => Published<ReliefActionRecorded>(e => e.CaseId == helped)
            .Concat(Published<ReliefActionVoided>(e => e.CaseId == helped)), message => (Guid)message["actionId"]!, expectedAtLeast: 6);
        // Vouchers by province: a county code's province, a Yuncheng county named (Shanxi, 14), and none for a place named otherwise.
        Assert.Equal(["14", "11", "14", null, null], actions.Select(action => relief
            .Single(item => item.Type == nameof(ReliefActionRecorded) && (Guid)item.Message["actionId"]! == action.Id)
            .Message["destinationProvince"]?.GetValue<string>()));

        // Service points: the current state of each, as its latest event said it.
        using var registryReader = await ReportingClientAsync(flow.Registry);
        var points = await ReadAllAsync(registryReader, "service-points", limit: 1);
        var latest = Assert.Single(points, item => (string)item.Message["code"]! == point);
        Assert.Equal(nameof(ServicePointChanged), latest.Type);
        Assert.True(JsonNode.DeepEquals(Normalised(latest.Message),
            Normalised(JsonSerializer.SerializeToNode(flow.Probe.Received<ServicePointChanged>(p => p.Code == point).Single(p => p.Message.Version == 2).Message, ApiJson)!)),
            latest.Message.ToJsonString());
        Assert.Equal(2, (int)latest.Message["version"]!);

        // CaseRegistered as registered, not as the case is now: sex and age were changed after.
        var helpedRegistered = (await ReadAllAsync(reporting, "cases", 1000)).Single(item => item.Type == nameof(CaseRegistered) && (Guid)item.Message["caseId"]! == helped);
        Assert.Equal("Female", (string)helpedRegistered.Message["sex"]!);
        Assert.Equal(30, (int)helpedRegistered.Message["estimatedAge"]!);
    }

    [Fact]
    public async Task Only_reportings_client_may_read_the_history_and_a_bad_limit_or_cursor_is_a_field_error()
    {
        var streams = new (ServiceHostBase Host, string Stream)[]
        {
            (new(flow.Intake.CreateClient), "cases"), (new(flow.Referral.CreateClient), "classifications"),
            (new(flow.Referral.CreateClient), "referrals"), (new(flow.Referral.CreateClient), "relief"),
            (new(flow.Registry.CreateClient), "service-points"), (new(flow.FamilySearch.CreateClient), "notices"),
        };
        foreach (var (host, stream) in streams)
        {
            var path = new Uri($"/internal/history/{stream}?limit=10", UriKind.Relative);
            using (var anonymous = host.Create())
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
            }

            foreach (var user in new[] { TestUsers.CityAdministrator(), TestUsers.CountyOfficer(), TestUsers.Auditor(), TestUsers.PointStaff() })
            {
                using var asUser = host.Create();
                asUser.DefaultRequestHeaders.Authorization = new("Bearer", await SharedAuthority.SignIn.TokenAsync(user));
                Assert.Equal(HttpStatusCode.Forbidden, (await asUser.GetAsync(path)).StatusCode);
            }

            foreach (var (clientId, secret) in new[]
            {
                (Authority.ReferralClientId, Authority.ReferralClientSecret), (Authority.RegistryClientId, Authority.RegistryClientSecret),
            })
            {
                using var asOther = host.Create();
                asOther.DefaultRequestHeaders.Authorization = new("Bearer", await IdentityAuthorityClient.GetServiceTokenAsync(
                    SharedAuthority.Instance.CreateClient(), clientId, secret));
                Assert.Equal(HttpStatusCode.Forbidden, (await asOther.GetAsync(path)).StatusCode);
            }

            using var reporting = host.Create();
            reporting.DefaultRequestHeaders.Authorization = new("Bearer", await ReportingTokenAsync());
            Assert.Equal(HttpStatusCode.OK, (await reporting.GetAsync(path)).StatusCode);
            foreach (var (query, field) in new[]
            {
                ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=ten", "limit"), ("limit=-1", "limit"), ("limit=1&limit=2", "limit"),
                ("after=not-a-cursor", "after"), ($"after={Convert.ToBase64String("1.x.0.k"u8.ToArray()).TrimEnd('=')}", "after"),
            })
            {
                using var response = await reporting.GetAsync(new Uri($"/internal/history/{stream}?{query}", UriKind.Relative));
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
                Assert.True(errors.ContainsKey(field), $"{stream}?{query}: {errors.ToJsonString()}");
            }
        }

        // Reporting also reads a case's facts (situations, identity) from Intake, as Referral does.
        var flowIds = await flow.RegisterReferredCaseAsync("史料丁", null);
        using var facts = await ReportingClientAsync(flow.Intake);
        using var answer = await facts.PostAsJsonAsync(new Uri("/internal/cases/facts", UriKind.Relative), new { ids = new[] { flowIds.CaseId } });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(flowIds.CaseId, (await answer.Content.ReadFromJsonAsync<JsonArray>())!.Single()!["caseId"]!.GetValue<Guid>());
    }

    private sealed record ServiceHostBase(Func<HttpClient> Create);

    private sealed record Item(string Cursor, string Type, JsonObject Message);

    private static Task<string> ReportingTokenAsync() => IdentityAuthorityClient.GetServiceTokenAsync(
        SharedAuthority.Instance.CreateClient(), Authority.ReportingClientId, Authority.ReportingClientSecret);

    private static async Task<HttpClient> ReportingClientAsync<T>(ServiceHost<T> host) where T : class
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await ReportingTokenAsync());
        return client;
    }

    private IEnumerable<(string Type, JsonObject Message)> Published<T>(Func<T, bool> match) where T : class =>
        flow.Probe.Received(match).Select(c => (typeof(T).Name, JsonSerializer.SerializeToNode(c.Message, ApiJson)!.AsObject()));

    /// <summary>The whole stream, page by page: each page's next cursor is its last item's, and the last page says none.</summary>
    private static async Task<List<Item>> ReadAllAsync(HttpClient client, string stream, int limit)
    {
        var items = new List<Item>();
        string? after = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 10_000, $"{stream}: the pages never end");
            var query = after is null ? $"limit={limit}" : $"limit={limit}&after={Uri.EscapeDataString(after)}";
            var page = (await client.GetFromJsonAsync<JsonObject>(new Uri($"/internal/history/{stream}?{query}", UriKind.Relative)))!;
            var got = page["items"]!.AsArray().Select(item => new Item((string)item!["cursor"]!, (string)item["type"]!, item["message"]!.AsObject())).ToList();
            Assert.True(got.Count <= limit, $"{stream}: {got.Count} items on a page of {limit}");
            items.AddRange(got);
            after = (string?)page["next"];
            if (after is null)
            {
                return items;
            }

            Assert.Equal(got[^1].Cursor, after);
        }
    }

    /// <summary>
    /// Reads the stream in pages of 2 until what it holds for <paramref name="entityOf"/>'s entities is what the bus carried
    /// (the outbox may still be publishing the last of it): the same messages, each entity's in the order they happened.
    /// </summary>
    private static async Task<List<Item>> SameAsBusAsync(HttpClient client, string stream, Func<IEnumerable<(string Type, JsonObject Message)>> published,
        Func<JsonObject, Guid> entityOf, int expectedAtLeast)
    {
        List<Item> ours = [];
        List<string> expected = [];
        List<string> actual = [];
        try
        {
            await TestDatabase.EventuallyAsync(async () =>
            {
                var bus = published().ToList();
                var entities = bus.Select(e => entityOf(e.Message)).ToHashSet();
                var all = await ReadAllAsync(client, stream, limit: 2);
                ours = [.. all.Where(item => entities.Contains(entityOf(item.Message)))];
                expected = [.. bus.Select(e => Canonical(e.Type, e.Message)).Order(StringComparer.Ordinal)];
                actual = [.. ours.Select(item => Canonical(item.Type, item.Message)).Order(StringComparer.Ordinal)];
                return bus.Count >= expectedAtLeast && expected.SequenceEqual(actual);
            }, $"the {stream} stream gives what the bus carried");
        }
        catch (TimeoutException)
        {
            // The assertions below say what differs.
        }

        Assert.True(expected.Count >= expectedAtLeast, $"{stream}: only {expected.Count} events on the bus");
        Assert.Equal(expected, actual);
        Assert.Equal(ours.Count, ours.Select(item => item.Cursor).Distinct().Count());
        // In the order they happened: each entity's events by their time, and a referral's by its sequence.
        foreach (var entity in ours.GroupBy(item => entityOf(item.Message)))
        {
            var times = entity.Select(item => TimeOf(item.Message)).ToList();
            Assert.Equal(times.Order().ToList(), times);
            var sequences = entity.Where(item => item.Message["sequence"] is not null).Select(item => (int)item.Message["sequence"]!).ToList();
            Assert.Equal(sequences.Order().ToList(), sequences);
        }

        return ours;
    }

    private static DateTimeOffset TimeOf(JsonObject message) =>
        new[] { "registeredAt", "confirmedAt", "updatedAt", "closedAt", "sentAt", "at", "changedAt" }
            .Where(message.ContainsKey).Select(name => DateTimeOffset.Parse((string)message[name]!, CultureInfo.InvariantCulture)).First();

    private static string Canonical(string type, JsonObject message) => $"{type} {Normalised(message).ToJsonString()}";

    /// <summary>
    /// A message as content: times to the microsecond the database keeps (the bus carries the clock's 100 ns ticks),
    /// amounts as numbers (50 and 50.00 are one amount), properties in name order, nulls left out.
    /// </summary>
    private static JsonNode Normalised(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Normalised(p.Value!)))),
        JsonArray a => new JsonArray([.. a.Select(e => e is null ? null : Normalised(e))]),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is var s && s.Length >= 20 && s[10] == 'T'
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) =>
            JsonValue.Create(new DateTimeOffset(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture)),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number =>
            JsonValue.Create(v.GetValue<decimal>().ToString("0.############################", CultureInfo.InvariantCulture)),
        _ => node.DeepClone(),
    };
}
