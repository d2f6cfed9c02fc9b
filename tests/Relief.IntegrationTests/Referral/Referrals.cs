using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Relief.Referral.Contracts;
using Relief.Referral;
using Relief.Referral.Referrals;
using Relief.ServiceDefaults.Data;
using Relief.Testing;

namespace Relief.IntegrationTests.Referral;

/// <summary>Referrals for the lifecycle's tests: opened as classification opens them, acted on through the HTTP API.</summary>
public static class Referrals
{
    public sealed record Opened(Guid CaseId, Guid ReferralId);

    /// <summary>
    /// A case Referral knows (as from CaseRegistered) with a referral to its county's station, opened through
    /// <see cref="ReferralOpening"/> in one unit of work, on the service's own clock.
    /// </summary>
    public static async Task<Opened> OpenAsync(IServiceProvider services, string county = "140802", string point = TestUsers.YanhuPoint,
        string priority = ReferralPriority.High)
    {
        var caseId = Guid.NewGuid();
        var unit = services.GetRequiredService<UnitOfWorkFactory>().Begin();
        unit.Write("insert into cases (id, county_code, service_point_code, registered_at) values (@CaseId, @County, @Point, now())",
            new { CaseId = caseId, County = county, Point = point });
        var opened = services.GetRequiredService<ReferralOpening>().Open(unit,
            new NewReferral(caseId, county, point, county, priority, ClassificationId: null, SystemActors.Classification));
        await unit.CommitAsync(CancellationToken.None);
        return new Opened(caseId, opened.ReferralId);
    }

    /// <summary>A body each action accepts, on the given version.</summary>
    public static object BodyFor(string action, int version) => action switch
    {
        "reject" => new { version, reason = "no_capacity", comment = "床位已满 / no beds" },
        "complete" => new { version, outcome = "returned_home", comment = "家属来电确认 / the family confirmed" },
        "cancel" => new { version, comment = "登记有误 / registered by mistake" },
        "reopen" => new { version, comment = "本人仍在站内 / still at the station" },
        "transfer" => new { version, toCounty = "140821" },
        _ => new { version },
    };

    public static Task<HttpResponseMessage> ActAsync(HttpClient client, Guid referralId, string action, object body) =>
        client.PostAsJsonAsync(new Uri($"/api/referrals/{referralId}/{action}", UriKind.Relative), body);

    /// <summary>Takes the action on the referral's present version; it must succeed.</summary>
    public static async Task<JsonElement> ActOkAsync(HttpClient client, Guid referralId, string action)
    {
        var version = (await DetailAsync(client, referralId)).GetProperty("version").GetInt32();
        using var response = await ActAsync(client, referralId, action, BodyFor(action, version));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{action}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> DetailAsync(HttpClient client, Guid referralId)
    {
        using var response = await client.GetAsync(new Uri($"/api/referrals/{referralId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The actions that bring a new referral to <paramref name="status"/>.</summary>
    public static IReadOnlyList<string> PathTo(string status) => status switch
    {
        ReferralStatus.Requested => [],
        ReferralStatus.Accepted => ["accept"],
        ReferralStatus.InProgress => ["accept", "start"],
        ReferralStatus.Completed => ["accept", "complete"],
        ReferralStatus.Rejected => ["reject"],
        ReferralStatus.Cancelled => ["cancel"],
        ReferralStatus.Transferred => ["transfer"],
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a referral status"),
    };

    public static readonly IReadOnlyList<string> AllStatuses =
    [
        ReferralStatus.Requested, ReferralStatus.Accepted, ReferralStatus.InProgress, ReferralStatus.Completed,
        ReferralStatus.Rejected, ReferralStatus.Cancelled, ReferralStatus.Transferred,
    ];

    /// <summary>How many outbox rows of the event type name the referral (with the sequence, if given).</summary>
    public static Task<long> OutboxCountAsync(string db, string eventType, Guid referralId, int? sequence = null) =>
        Infrastructure.TestDatabase.ScalarAsync<long>(db, """
            select count(*) from outbox_messages
            where message_type like 'Relief.Referral.Contracts.' || @EventType || ',%' and payload->>'referralId' = @ReferralId
              and (@Sequence::int is null or (payload->>'sequence')::int = @Sequence)
            """, new { EventType = eventType, ReferralId = referralId.ToString(), Sequence = sequence });
}
