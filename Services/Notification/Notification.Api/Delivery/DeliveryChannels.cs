using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Relief.Notification.Delivery;

/// <summary>The channels a subscription sends through, and the formats of a webhook.</summary>
public static class DeliveryChannel
{
    public const string Webhook = "webhook";
    public const string Sms = "sms";

    public static readonly string[] All = [Webhook, Sms];
}

public static class WebhookFormat
{
    /// <summary>Signed JSON to an office's own system (HMAC-SHA256 over "{timestamp}.{body}").</summary>
    public const string Generic = "generic";
    /// <summary>企业微信 group robot: a markdown message to the robot's URL (its key is in the URL).</summary>
    public const string WeCom = "wecom";
    /// <summary>钉钉 group robot: a markdown message to the robot's URL, signed in its timestamp and sign parameters.</summary>
    public const string DingTalk = "dingtalk";

    public static readonly string[] All = [Generic, WeCom, DingTalk];
}

/// <summary>A delivery as the dispatcher claimed it, with its subscription's sealed target and secret.</summary>
public sealed record ClaimedDelivery(
    Guid Id, Guid NotificationId, Guid SubscriptionId, string Kind, Guid CaseId, string? CaseNumber, string Channel, string? Format,
    string Title, string Message, string Link, int Attempts, DateTime CreatedAt,
    string TargetKeyId, byte[] TargetSealed, string? SecretKeyId, byte[]? SecretSealed);

/// <summary>What one attempt came to: delivered, or why not (never the URL or a phone number).</summary>
public sealed record AttemptOutcome(bool Delivered, int? HttpStatus, string? Error);

/// <summary>
/// Builds each channel's request and reads its answer. The message is the desk item's title, its text and the absolute
/// link into the portal — the same Chinese template text the desk shows, never an ID number or a name.
/// </summary>
public sealed class DeliveryChannels(IOptionsMonitor<NotificationOptions> options, TimeProvider clock)
{
    /// <summary>The named client every delivery goes out through (its own resilience pipeline, see NotificationServices).</summary>
    public const string ClientName = "notification-delivery";

    public const string TimestampHeader = "X-Relief-Timestamp";
    public const string SignatureHeader = "X-Relief-Signature";
    public const string DeliveryHeader = "X-Relief-Delivery";

    // Chinese stays Chinese on the wire (robots and offices' systems show it; \uXXXX escapes only make it unreadable in
    // logs and three times longer); characters that matter in HTML are still escaped.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    /// <summary>The request of one attempt. <paramref name="target"/> and <paramref name="secret"/> are the opened values.</summary>
    public HttpRequestMessage Build(ClaimedDelivery delivery, string target, string? secret)
    {
        var settings = options.CurrentValue;
        var link = settings.AbsoluteLink(delivery.Link);
        return (delivery.Channel, delivery.Format) switch
        {
            (DeliveryChannel.Sms, _) => Sms(delivery, target, link, settings.Sms),
            (_, WebhookFormat.WeCom) => Post(new Uri(target), new
            {
                msgtype = "markdown",
                markdown = new { content = $"**{delivery.Title}**\n{delivery.Message}\n[查看 / Open]({link})" },
            }),
            (_, WebhookFormat.DingTalk) => Post(DingTalkSigned(target, secret!), new
            {
                msgtype = "markdown",
                markdown = new { title = delivery.Title, text = $"### {delivery.Title}\n\n{delivery.Message}\n\n[查看 / Open]({link})" },
            }),
            _ => Generic(delivery, target, secret!, link),
        };
    }

    /// <summary>
    /// Whether the target took it: a 2xx, and for the group robots also <c>errcode</c> 0 in the body (they answer 200 to a
    /// bad signature or key, with the error in the body).
    /// </summary>
    public static async Task<AttemptOutcome> ReadAsync(ClaimedDelivery delivery, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            return new AttemptOutcome(false, status, $"HTTP {status}");
        }

        if (delivery.Format is not (WebhookFormat.WeCom or WebhookFormat.DingTalk))
        {
            return new AttemptOutcome(true, status, null);
        }

        try
        {
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            var code = body.RootElement.TryGetProperty("errcode", out var errcode) && errcode.TryGetInt64(out var value) ? value : -1;
            // The robot's own error code only: its message may quote the request back.
            return code == 0 ? new AttemptOutcome(true, status, null) : new AttemptOutcome(false, status, $"robot errcode {code}");
        }
        catch (JsonException)
        {
            return new AttemptOutcome(false, status, "robot answered without a JSON errcode");
        }
    }

    private HttpRequestMessage Generic(ClaimedDelivery delivery, string url, string secret, string link)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = delivery.Id,
            notificationId = delivery.NotificationId,
            kind = delivery.Kind,
            caseId = delivery.CaseId,
            caseNumber = delivery.CaseNumber,
            title = delivery.Title,
            message = delivery.Message,
            link,
            createdAt = new DateTimeOffset(delivery.CreatedAt, TimeSpan.Zero),
        }, Json);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = Post(new Uri(url), body);
        request.Headers.Add(DeliveryHeader, delivery.Id.ToString());
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(SignatureHeader, GenericSignature(secret, timestamp, body));
        return request;
    }

    /// <summary>"sha256=" and the lower-case hex HMAC-SHA256, keyed with the secret, of "{timestamp}.{body}".</summary>
    public static string GenericSignature(string secret, string timestamp, byte[] body)
    {
        var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>DingTalk's signed URL: timestamp (ms) and sign = Base64(HMAC-SHA256(secret, "{timestamp}\n{secret}")), URL-encoded.</summary>
    private Uri DingTalkSigned(string url, string secret)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return new Uri($"{url}{separator}timestamp={timestamp}&sign={Uri.EscapeDataString(DingTalkSign(secret, timestamp))}");
    }

    public static string DingTalkSign(string secret, string timestamp) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}\n{secret}")));

    private static HttpRequestMessage Sms(ClaimedDelivery delivery, string phoneNumbers, string link, SmsOptions sms)
    {
        if (sms.GatewayUrl is null)
        {
            throw new InvalidOperationException("No SMS gateway is configured (Notification:Sms:GatewayUrl).");
        }

        var request = Post(sms.GatewayUrl, new
        {
            reference = delivery.Id,
            phoneNumbers = phoneNumbers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            text = $"{delivery.Title}：{delivery.Message} {link}",
        });
        if (!string.IsNullOrEmpty(sms.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sms.ApiKey);
        }

        return request;
    }

    private static HttpRequestMessage Post(Uri url, object body) => Post(url, JsonSerializer.SerializeToUtf8Bytes(body, Json));

    private static HttpRequestMessage Post(Uri url, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
    }
}
