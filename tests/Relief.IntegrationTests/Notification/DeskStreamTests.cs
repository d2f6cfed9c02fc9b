using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Relief.IntegrationTests.Infrastructure;
using Relief.Referral.Contracts;
using Relief.Testing;
using static Relief.IntegrationTests.Notification.DeskRoutingTests;

namespace Relief.IntegrationTests.Notification;

/// <summary>The live feed (GET /api/desk/stream, Server-Sent Events): live items, and after a reconnect exactly those missed.</summary>
public sealed class DeskStreamTests(NotificationFixture fixture) : IClassFixture<NotificationFixture>
{
    /// <summary>One desk-item event as the stream sent it.</summary>
    private sealed record DeskEvent(long Id, string Type, JsonElement Data);

    /// <summary>A connected stream; disposing it is the client going away.</summary>
    private sealed class Stream(HttpClient client, HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public HttpResponseMessage Response => response;

        public async Task<DeskEvent> NextAsync(TimeSpan? timeout = null)
        {
            using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            long? id = null;
            string? type = null;
            string? data = null;
            while (await reader.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data is not null)
                    {
                        return new DeskEvent(id!.Value, type!, JsonDocument.Parse(data).RootElement);
                    }

                    continue;
                }

                if (line.StartsWith(':'))
                {
                    continue; // a keep-alive comment
                }

                var (field, value) = (line[..line.IndexOf(':', StringComparison.Ordinal)], line[(line.IndexOf(':', StringComparison.Ordinal) + 2)..]);
                switch (field)
                {
                    case "id": id = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                    case "event": type = value; break;
                    case "data": data = value; break;
                }
            }

            throw new InvalidOperationException("The stream ended.");
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
            client.Dispose();
        }
    }

    private async Task<Stream> ConnectAsync(TestUser user, long? lastEventId = null)
    {
        var client = await fixture.Service.ClientForAsync(user);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/desk/stream", UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } last)
        {
            request.Headers.Add("Last-Event-ID", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // Headers only: the body never ends while the client stays.
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new Stream(client, response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    private async Task<ReferralRequested> RequestAsync(string county)
    {
        var requested = ARequest(ACase(county, "FD-STREAM"));
        await fixture.Probe.PublishAsync(requested, Guid.NewGuid());
        return requested;
    }

    [Fact]
    public async Task A_station_sees_a_referral_live_and_after_a_reconnect_exactly_the_two_it_missed_in_order()
    {
        var station = TestUsers.StationStaff("YJ-STATION", "140881");
        Guid first;
        long firstId;
        using (var live = await ConnectAsync(station))
        {
            first = (await RequestAsync("140881")).ReferralId;
            var received = await live.NextAsync();
            Assert.Equal("desk-item", received.Type);
            Assert.Equal(first, received.Data.GetProperty("referralId").GetGuid());
            Assert.Equal(received.Id, received.Data.GetProperty("feedId").GetInt64());
            Assert.Equal("referral_requested", received.Data.GetProperty("kind").GetString());
            firstId = received.Id;
        } // the client goes away

        var missed = new[] { await RequestAsync("140881"), await RequestAsync("140881") };
        await TestDatabase.EventuallyAsync(async () => (await DeskItemsAsync(fixture, station)).Count == 3, "both are on the desk");
        var expected = (await DeskItemsAsync(fixture, station)).Select(i => i.GetProperty("referralId").GetGuid()).Reverse().Skip(1).ToList();
        Assert.Equal(missed.Select(m => m.ReferralId).Order(), expected.Order());

        using var again = await ConnectAsync(station, firstId);
        var replayed = new[] { await again.NextAsync(), await again.NextAsync() };
        Assert.Equal(expected, replayed.Select(e => e.Data.GetProperty("referralId").GetGuid()));
        Assert.True(replayed[0].Id > firstId && replayed[1].Id > replayed[0].Id, "oldest first, after the last one seen");
        // Nothing else was replayed: the next event is the next item posted, live.
        var later = await RequestAsync("140881");
        Assert.Equal(later.ReferralId, (await again.NextAsync()).Data.GetProperty("referralId").GetGuid());
    }

    [Fact]
    public async Task A_feed_carries_only_its_own_desks_items()
    {
        using var other = await ConnectAsync(TestUsers.StationStaff("HJ-STATION", "140882"));
        using var mine = await ConnectAsync(TestUsers.StationStaff("XJ-STATION", "140825"));

        var elsewhere = await RequestAsync("140825");
        Assert.Equal(elsewhere.ReferralId, (await mine.NextAsync()).Data.GetProperty("referralId").GetGuid());
        var own = await RequestAsync("140882");

        // The other station's first event is its own referral, posted after the first one: it never got that one.
        Assert.Equal(own.ReferralId, (await other.NextAsync()).Data.GetProperty("referralId").GetGuid());
    }

    [Fact]
    public async Task A_stream_that_names_no_feed_id_as_its_last_is_refused()
    {
        using var client = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/desk/stream", UriKind.Relative));
        request.Headers.Add("Last-Event-ID", "yesterday");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
