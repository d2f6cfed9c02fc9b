using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relief.Portal.Clients;

/// <summary>
/// Notification's API: the user's duty desk (值班台 — the items their office was told of, newest first, and what they
/// have read), the offices' subscriptions of their channels (webhook, SMS) and the delivery log that proves each message
/// went out. The live feed is not here: <see cref="DeskStreamClient"/> holds it open without the resilience pipeline.
/// </summary>
public sealed class NotificationClient(HttpClient http)
{
    /// <summary>The desk's items older than <paramref name="before"/> (a feed id; none: the newest), with the unread count.</summary>
    public async Task<ApiResult<DeskPage>> DeskAsync(long? before, int limit, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<DeskPage>(() => http.GetAsync(
            $"/api/desk/items{Query.Of(("before", before?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)))}",
            cancellationToken), cancellationToken);

    /// <summary>Marks the desk read for this user up to and including <paramref name="upTo"/> (read marks are per user).</summary>
    public async Task<ApiResult<NoValue>> MarkReadAsync(long upTo, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<NoValue>(() => http.PostAsJsonAsync("/api/desk/read", new { upTo }, cancellationToken), cancellationToken);

    public async Task<ApiResult<List<Subscription>>> SubscriptionsAsync(CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<List<Subscription>>(() => http.GetAsync("/api/subscriptions", cancellationToken), cancellationToken);

    /// <summary>Subscribes an office's channel to a kind of event; the service refuses a field with its reason (400).</summary>
    public async Task<ApiResult<Subscription>> SubscribeAsync(NewSubscription subscription, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<Subscription>(() => http.PostAsJsonAsync("/api/subscriptions", subscription, WithoutNulls, cancellationToken), cancellationToken);

    public async Task<ApiResult<NoValue>> UnsubscribeAsync(Guid id, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<NoValue>(() => http.DeleteAsync($"/api/subscriptions/{id}", cancellationToken), cancellationToken);

    /// <summary>The delivery log, newest first, a page after the keyset cursor <see cref="DeliveryFilter.After"/>.</summary>
    public async Task<ApiResult<DeliveryPage>> DeliveriesAsync(DeliveryFilter filter, CancellationToken cancellationToken)
    {
        var query = Query.Of(("status", filter.Status), ("channel", filter.Channel), ("kind", filter.Kind), ("office", filter.Office),
            ("from", filter.From), ("to", filter.To), ("caseNumber", filter.CaseNumber), ("after", filter.After),
            ("limit", filter.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return await ApiResult.CallAsync<DeliveryPage>(() => http.GetAsync($"/api/deliveries{query}", cancellationToken), cancellationToken);
    }

    public async Task<ApiResult<DeliveryDetail>> DeliveryAsync(Guid id, CancellationToken cancellationToken) =>
        await ApiResult.CallAsync<DeliveryDetail>(() => http.GetAsync($"/api/deliveries/{id}", cancellationToken), cancellationToken);

    private static readonly JsonSerializerOptions WithoutNulls = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>
/// The live duty-desk feed (<c>GET /api/desk/stream</c>, server-sent events) opened as the signed-in user. Its own
/// client: the standard resilience pipeline would cut a stream that is meant to stay open at its total timeout, and
/// must not retry one either (the browser reconnects, with the last event's id).
/// </summary>
public sealed class DeskStreamClient(HttpClient http)
{
    /// <summary>Opens the stream; the answer's headers are read, its body is left to stream.</summary>
    public async Task<HttpResponseMessage> OpenAsync(string accessToken, long? lastEventId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/desk/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } last)
        {
            request.Headers.Add("Last-Event-ID", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }
}

/// <summary>A page of the desk: its items newest first, how many the user has not read, and up to where they have.</summary>
public sealed record DeskPage
{
    public List<DeskFeedItem> Items { get; init; } = [];
    public int Unread { get; init; }
    public long? LastReadId { get; init; }
}

/// <summary>One item on a desk, as the feed and the stream send it; <see cref="FeedId"/> orders the desk and is the SSE id.</summary>
public sealed record DeskFeedItem
{
    public long FeedId { get; init; }
    public Guid Id { get; init; }
    public string Kind { get; init; } = "";
    public Guid? CaseId { get; init; }
    public Guid? ReferralId { get; init; }
    public string? CaseNumber { get; init; }
    public string? CountyCode { get; init; }
    public string Title { get; init; } = "";
    public string Message { get; init; } = "";
    /// <summary>A path of the portal (/referrals/{id}, /cases/{id}).</summary>
    public string? Link { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string? DeadlineKind { get; init; }
    public int? Level { get; init; }

    /// <summary>The link when it is a path of this site; anything else (another host, a script URL) is not followed.</summary>
    public string? LocalLink => Link is { Length: > 1 } link && link[0] == '/' && link[1] != '/' && link[1] != '\\' ? link : null;
}

/// <summary>An office's channel subscribed to a kind of event. The secret never comes back; the target comes masked.</summary>
public sealed record Subscription
{
    public Guid Id { get; init; }
    public string OfficeCode { get; init; } = "";
    public string? OfficeName { get; init; }
    public string Kind { get; init; } = "";
    /// <summary>webhook or sms.</summary>
    public string Channel { get; init; } = "";
    /// <summary>For a webhook: generic, wecom or dingtalk.</summary>
    public string? Format { get; init; }
    /// <summary>The URL's host or the numbers, masked by the service.</summary>
    public string? Target { get; init; }
    public string? OfficeCounty { get; init; }
    /// <summary>A secret is kept (sealed at rest; it never comes back).</summary>
    public bool HasSecret { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public string? CreatedByName { get; init; }
}

/// <summary>A new subscription: a webhook (format, URL, secret) or SMS (the numbers).</summary>
public sealed record NewSubscription(string OfficeCode, string Kind, string Channel, string? Format, string? Url, string? Secret, List<string>? PhoneNumbers);

/// <summary>The delivery log's filters as the page's query carries them; <see cref="After"/> is the keyset cursor.</summary>
public sealed record DeliveryFilter(string? Status, string? Channel, string? Kind, string? Office, string? From, string? To, string? CaseNumber, string? After,
    int Limit = 50);

/// <summary>A page of the delivery log, newest first, and the cursor of the next one (none: this was the last).</summary>
public sealed record DeliveryPage
{
    public List<Delivery> Items { get; init; } = [];
    /// <summary>The <c>after</c> of the next page.</summary>
    public long? Next { get; init; }
}

/// <summary>One message (a desk item) to one subscription: the masked target, and where its sending stands.</summary>
public sealed record Delivery
{
    public Guid Id { get; init; }
    public Guid? NotificationId { get; init; }
    public Guid? SubscriptionId { get; init; }
    public string? OfficeCode { get; init; }
    public string Kind { get; init; } = "";
    public Guid? CaseId { get; init; }
    public string? CaseNumber { get; init; }
    public string Channel { get; init; } = "";
    public string? Format { get; init; }
    public string? Target { get; init; }
    public string? Title { get; init; }
    /// <summary>pending, delivered or failed.</summary>
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public DateTimeOffset? FailedAt { get; init; }
}

/// <summary>A delivery with every attempt at it.</summary>
public sealed record DeliveryDetail
{
    public Delivery Delivery { get; init; } = new();
    public List<DeliveryAttempt> Attempts { get; init; } = [];
}

/// <summary>One try: when it began, its outcome, the HTTP status if one came, how long it took, and why it failed.</summary>
public sealed record DeliveryAttempt
{
    public int Attempt { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public string Status { get; init; } = "";
    public int? HttpStatus { get; init; }
    public int LatencyMs { get; init; }
    public string? Error { get; init; }
}
