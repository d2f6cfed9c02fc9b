using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Relief.Identity.Contracts;
using Relief.Identity.Storage;
using Relief.IntegrationTests.Infrastructure;
using Relief.ServiceDefaults.Data;
using Relief.Testing;

namespace Relief.IntegrationTests.Identity;

/// <summary>
/// The identity authority announces every change of an office (OfficeChanged) through its outbox, with a version that
/// grows with each change, and once for every office that existed before it announced anything: other services' copies
/// of the offices start complete and keep the newest. Each test runs an authority of its own on this class's virtual
/// host, watched by the probe.
/// </summary>
public sealed class OfficeAnnouncementTests : VirtualHostAndProbe
{
    /// <summary>The migration before offices had versions: a database of the authority as it was.</summary>
    private const string LastMigrationBeforeAnnouncements = "20261129161636_DisabledUsersAndClosedOffices";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private Authority AuthorityOnThisVirtualHost(string? database = null, Uri? messaging = null) => new(new Dictionary<string, string?>
    {
        ["ConnectionStrings:messaging"] = (messaging ?? VirtualHost.AmqpUri).ToString(),
        ["Outbox:PollInterval"] = "00:00:00.500",
        ["Outbox:MaxBackoff"] = "00:00:01",
    }, database);

    [Fact]
    public async Task Creating_renaming_closing_and_reopening_an_office_announces_each_change_with_the_next_version()
    {
        await using var authority = AuthorityOnThisVirtualHost();
        using var admin = authority.CreateClient(await authority.AdminTokenAsync());
        var code = NewOfficeCode();

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(new Uri("/api/admin/offices", UriKind.Relative),
            new { code, name = "盐湖区临时救助服务点", kind = "service_point", countyCode = "140802" })).StatusCode);
        var created = await AnnouncementAsync(code, version: 1);
        Assert.Equal(("盐湖区临时救助服务点", "service_point", "140802", true), (created.Name, created.Kind, created.CountyCode, created.Active));

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(new Uri($"/api/admin/offices/{code}", UriKind.Relative),
            new { name = "临猗县临时救助服务点", countyCode = "140821" })).StatusCode);
        var moved = await AnnouncementAsync(code, version: 2);
        Assert.Equal(("临猗县临时救助服务点", "service_point", "140821", true), (moved.Name, moved.Kind, moved.CountyCode, moved.Active));
        Assert.True(moved.ChangedAt >= created.ChangedAt);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync(new Uri($"/api/admin/offices/{code}/deactivate", UriKind.Relative), null)).StatusCode);
        var closed = await AnnouncementAsync(code, version: 3);
        Assert.Equal(("临猗县临时救助服务点", "140821", false), (closed.Name, closed.CountyCode, closed.Active));

        // Neither a second close nor a rename to the same name and county changes anything: no version for them.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync(new Uri($"/api/admin/offices/{code}/deactivate", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(new Uri($"/api/admin/offices/{code}", UriKind.Relative),
            new { name = "临猗县临时救助服务点", countyCode = "140821" })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync(new Uri($"/api/admin/offices/{code}/reactivate", UriKind.Relative), null)).StatusCode);
        var reopened = await AnnouncementAsync(code, version: 4);
        Assert.True(reopened.Active);

        // Every announcement relayed by now (the reopening was the last committed): one per change, versions 1 to 4.
        Assert.Equal([1L, 2L, 3L, 4L], Probe.Received<OfficeChanged>(m => m.Code == code).Select(c => c.Message.Version).Order());
        Assert.Equal(4, await OutboxRowsAsync(authority.DatabaseConnectionString, code));
    }

    [Fact]
    public async Task An_announcement_carries_the_office_and_nothing_about_the_people_who_changed_it()
    {
        await using var authority = AuthorityOnThisVirtualHost();
        using var admin = authority.CreateClient(await authority.AdminTokenAsync());
        var code = NewOfficeCode();
        // A user of the office, so that someone's name exists to leak.
        await IdentityAuthorityClient.CreateUserAsync(authority.CreateClient(), await authority.AdminTokenAsync(),
            "point_staff", code, "140802", "service_point");

        await AnnouncementAsync(code, version: 1);

        var body = Probe.RawMessages.Select(MessageOf).Single(message =>
            message.GetProperty("code").GetString() == code && message.GetProperty("version").GetInt64() == 1);
        Assert.Equal(["active", "changedAt", "code", "countyCode", "kind", "name", "version"],
            body.EnumerateObject().Select(property => property.Name).Order(StringComparer.Ordinal));
        var raw = Probe.RawMessages.Single(message => message.Contains(code, StringComparison.Ordinal));
        Assert.DoesNotContain(Authority.AdminUserName, raw, StringComparison.Ordinal);
        Assert.DoesNotContain("point-staff-", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_that_fails_announces_nothing()
    {
        await using var authority = AuthorityOnThisVirtualHost();
        using var admin = authority.CreateClient(await authority.AdminTokenAsync());
        var code = NewOfficeCode();
        var office = new { code, name = "永济市救助管理站", kind = "relief_station", countyCode = "140881" };
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(new Uri("/api/admin/offices", UriKind.Relative), office)).StatusCode);

        // The same code again: refused, and its announcement rolled back with it.
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync(new Uri("/api/admin/offices", UriKind.Relative),
            office with { name = "另一个站" })).StatusCode);
        // The city bureau cannot be moved to a county: refused before anything is written.
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync(new Uri("/api/admin/offices/CITY-BUREAU", UriKind.Relative),
            new { name = "运城市民政局", countyCode = "140802" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(new Uri($"/api/admin/offices/{code}", UriKind.Relative),
            new { name = "永济市救助管理站（新址）", countyCode = "140881" })).StatusCode);

        // The rename was committed after both refusals, so their announcements, had there been any, came before it.
        await AnnouncementAsync("CITY-BUREAU", version: 1);
        await AnnouncementAsync(code, version: 1);
        var renamed = await AnnouncementAsync(code, version: 2);
        Assert.Equal("永济市救助管理站（新址）", renamed.Name);
        Assert.Equal(["永济市救助管理站", "永济市救助管理站（新址）"],
            Probe.Received<OfficeChanged>(m => m.Code == code).OrderBy(c => c.Message.Version).Select(c => c.Message.Name));
        Assert.Single(Probe.Received<OfficeChanged>(m => m.Code == "CITY-BUREAU"));
        Assert.Equal(2, await OutboxRowsAsync(authority.DatabaseConnectionString, code));
    }

    [Fact]
    public async Task Offices_from_before_the_announcements_are_announced_once_at_the_first_start_and_not_again_at_the_next()
    {
        var database = Authority.NewDatabaseName();
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(Authority.PostgresServer) { Database = database }.ConnectionString;
        var point = NewOfficeCode();
        var station = NewOfficeCode();
        try
        {
            await CreateDatabaseAsBeforeAnnouncementsAsync(connectionString);
            await TestDatabase.ExecuteAsync(connectionString, """
                insert into offices (code, name, kind, county_code, created_at, deactivated_at) values
                    ('CITY-BUREAU', '运城市民政局', 'city_bureau', '140800', now() - interval '90 days', null),
                    (@Point, '盐湖区临时救助服务点', 'service_point', '140802', now() - interval '60 days', null),
                    (@Station, '芮城县救助管理站', 'relief_station', '140830', now() - interval '60 days', now() - interval '2 days')
                """, new { Point = point, Station = station });
            var closedAt = await TestDatabase.ScalarAsync<DateTime>(connectionString,
                "select deactivated_at from offices where code = @Station", new { Station = station });

            await using (var firstStart = AuthorityOnThisVirtualHost(database))
            {
                _ = firstStart.Server;
                var city = await AnnouncementAsync("CITY-BUREAU", version: 1);
                var open = await AnnouncementAsync(point, version: 1);
                var closed = await AnnouncementAsync(station, version: 1);
                Assert.Equal(("运城市民政局", "city_bureau", "140800", true), (city.Name, city.Kind, city.CountyCode, city.Active));
                Assert.Equal(("盐湖区临时救助服务点", "service_point", "140802", true), (open.Name, open.Kind, open.CountyCode, open.Active));
                Assert.Equal(("芮城县救助管理站", "relief_station", "140830", false), (closed.Name, closed.Kind, closed.CountyCode, closed.Active));
                // Announcing is not a change: the office last changed when it was closed.
                Assert.Equal(new DateTimeOffset(closedAt, TimeSpan.Zero), closed.ChangedAt);
                // Marked sent before this instance stops, so the next start has no reason to send them again.
                await TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(connectionString,
                    "select count(*) from outbox_messages where sent_at is null") == 0, "the announcements are marked sent");
            }

            await using var secondStart = AuthorityOnThisVirtualHost(database);
            using var admin = secondStart.CreateClient(await secondStart.AdminTokenAsync());
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(new Uri($"/api/admin/offices/{point}", UriKind.Relative),
                new { name = "盐湖区临时救助服务点（二）", countyCode = "140802" })).StatusCode);

            // The second start wrote whatever it would announce before it served this change: once the change has
            // arrived, anything announced again would have too.
            await AnnouncementAsync(point, version: 2);
            foreach (var code in new[] { "CITY-BUREAU", point, station })
            {
                Assert.Single(Probe.Received<OfficeChanged>(m => m.Code == code && m.Version == 1));
            }

            Assert.Equal(4, await TestDatabase.ScalarAsync<long>(connectionString, "select count(*) from outbox_messages"));
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            // A forced drop can outlast the default 30 s on a busy machine; tidying up must not fail the test.
            await TestDatabase.ExecuteAsync(new Npgsql.NpgsqlConnectionStringBuilder(Authority.PostgresServer) { Database = "postgres", CommandTimeout = 300 }.ConnectionString,
                $"drop database if exists \"{database}\" with (force)");
        }
    }

    [Fact]
    public async Task The_authority_starts_and_changes_offices_while_the_broker_is_away_and_announces_them_once_it_is_back()
    {
        await using var brokerLink = new TcpProxy(VirtualHost.AmqpUri.Port); // down: the authority has no broker
        await using var authority = AuthorityOnThisVirtualHost(messaging: new UriBuilder(VirtualHost.AmqpUri) { Port = brokerLink.Port }.Uri);
        using var admin = authority.CreateClient(await authority.AdminTokenAsync());
        var code = NewOfficeCode();

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(new Uri("/api/admin/offices", UriKind.Relative),
            new { code, name = "万荣县临时救助服务点", kind = "service_point", countyCode = "140822" })).StatusCode);
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(authority.DatabaseConnectionString,
            "select count(*) from outbox_messages where sent_at is null and payload->>'code' = @Code", new { Code = code }));

        brokerLink.Start();

        var announced = await AnnouncementAsync(code, version: 1);
        Assert.Equal("万荣县临时救助服务点", announced.Name);
    }

    private async Task<OfficeChanged> AnnouncementAsync(string code, long version) =>
        (await Probe.WaitForAsync<OfficeChanged>(m => m.Code == code && m.Version == version, Deadline)).Message;

    private static async Task<long> OutboxRowsAsync(string connectionString, string code) =>
        await TestDatabase.ScalarAsync<long>(connectionString,
            "select count(*) from outbox_messages where payload->>'code' = @Code", new { Code = code });

    private static string NewOfficeCode() => $"T-{Guid.NewGuid():N}"[..14].ToUpperInvariant();

    /// <summary>The "message" of a MassTransit envelope, as it crossed the broker (the probe appends the headers after it).</summary>
    private static JsonElement MessageOf(string raw)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(raw));
        using var envelope = JsonDocument.ParseValue(ref reader);
        return envelope.RootElement.GetProperty("message").Clone();
    }

    /// <summary>A database of the authority at the last migration before offices were announced.</summary>
    private static async Task CreateDatabaseAsBeforeAnnouncementsAsync(string connectionString)
    {
        await DatabaseMigrator.EnsureDatabaseAsync(connectionString, CancellationToken.None);
        await using var db = new IdentityDb(IdentityDbOptions.Apply(new DbContextOptionsBuilder<IdentityDb>().UseNpgsql(connectionString)).Options);
        await db.GetService<IMigrator>().MigrateAsync(LastMigrationBeforeAnnouncements);
    }
}
