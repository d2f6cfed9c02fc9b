using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Relief.IntegrationTests.Notification.Delivery;

/// <summary>One request the receiver took, and whether it passed the receiver's own check of its format and signature.</summary>
public sealed record ReceivedMessage(string Path, string Format, bool Verified, string? DeliveryId, JsonElement Body, int Order);

/// <summary>
/// A local HTTP server (Kestrel on a random port) standing in for an office's systems, its WeCom and DingTalk group robots
/// and the bureau's SMS gateway. It checks each request as the real one would — the generic signature, the robots' body
/// format, DingTalk's signed URL, the gateway's key — and answers a bad one as they do (401, or an errcode). What each
/// path does is in its name: <c>ok-…</c> answers at once; <c>fail-once-…</c> 500 first; <c>always-500-…</c> always 500;
/// <c>hang-once-…</c> never answers the first request; <c>slow-…</c> answers only once the test calls
/// <see cref="ReleaseSlow"/> — slower than any attempt timeout, so the sender gives up on it first.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const string GenericSecret = "the-generic-webhook-secret-of-the-test";
    public const string DingTalkSecret = "SECthe-dingtalk-robot-secret-of-the-test";
    public const string WeComKey = "wecom-robot-key-0123456789abcdef";
    public const string DingTalkToken = "dingtalk-access-token-0123456789";
    public const string SmsApiKey = "sms-gateway-api-key-of-the-test";

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, int> calls = new();
    private int order;
    private readonly TaskCompletionSource slowGate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<ReceivedMessage> Messages { get; } = new();

    /// <summary>Every request's start and end ("start:{path}", "end:{path}"), in the order they happened.</summary>
    public ConcurrentQueue<(int Order, string Event)> Events { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    private WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.MapPost("/generic/{name}", context => HandleAsync(context, "generic", GenericCheckAsync));
        app.MapPost("/wecom/{name}", context => HandleAsync(context, "wecom", WeComCheckAsync));
        app.MapPost("/dingtalk/{name}", context => HandleAsync(context, "dingtalk", DingTalkCheckAsync));
        app.MapPost("/sms/{name}", context => HandleAsync(context, "sms", SmsCheckAsync));
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver.app.StartAsync();
        var address = receiver.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return receiver;
    }

    public Uri Url(string path) => new(BaseAddress, path);

    /// <summary>Lets every <c>slow-…</c> request still held answer.</summary>
    public void ReleaseSlow() => slowGate.TrySetResult();

    public IReadOnlyList<ReceivedMessage> At(string path) => Messages.Where(m => m.Path == path).ToList();

    private delegate Task<(bool Ok, string? DeliveryId, JsonElement Body)> Check(HttpRequest request, byte[] body);

    private async Task HandleAsync(HttpContext context, string format, Check check)
    {
        var path = context.Request.Path.Value!;
        var name = (string)context.Request.RouteValues["name"]!;
        var call = calls.AddOrUpdate(path, 1, (_, n) => n + 1);
        Events.Enqueue((Interlocked.Increment(ref order), "start:" + path));
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var body = buffer.ToArray();
            if (name.StartsWith("hang-once-", StringComparison.Ordinal) && call == 1)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }

            if (name.StartsWith("slow-", StringComparison.Ordinal))
            {
                // Held until the test lets go or the sender gives up: a target slower than the 10 s of the example.
                await slowGate.Task.WaitAsync(context.RequestAborted);
            }

            var (ok, deliveryId, json) = await check(context.Request, body);
            Messages.Enqueue(new ReceivedMessage(path, format, ok, deliveryId, json, Interlocked.Increment(ref order)));
            if (name.StartsWith("always-500-", StringComparison.Ordinal) || (name.StartsWith("fail-once-", StringComparison.Ordinal) && call == 1))
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            }

            if (format is "wecom" or "dingtalk")
            {
                // The robots answer 200 either way, the verdict in errcode.
                await context.Response.WriteAsJsonAsync(ok ? new { errcode = 0, errmsg = "ok" } : new { errcode = 310000, errmsg = "sign not match" });
                return;
            }

            context.Response.StatusCode = ok ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized;
        }
        catch (OperationCanceledException)
        {
            // the sender gave up (its attempt timed out)
        }
        finally
        {
            Events.Enqueue((Interlocked.Increment(ref order), "end:" + path));
        }
    }

    /// <summary>HMAC-SHA256 over "{timestamp}.{body}" with the shared secret, a recent timestamp, a delivery id.</summary>
    private static Task<(bool, string?, JsonElement)> GenericCheckAsync(HttpRequest request, byte[] body)
    {
        var timestamp = request.Headers["X-Relief-Timestamp"].ToString();
        var signature = request.Headers["X-Relief-Signature"].ToString();
        var deliveryId = request.Headers["X-Relief-Delivery"].ToString();
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(GenericSecret),
            Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray()));
        var recent = long.TryParse(timestamp, CultureInfo.InvariantCulture, out var seconds)
            && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) < 300;
        var ok = recent && Guid.TryParse(deliveryId, out _)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), Encoding.ASCII.GetBytes(expected));
        return Task.FromResult((ok, (string?)deliveryId, Parse(body)));
    }

    /// <summary>The robot's key in the URL and a markdown message with content.</summary>
    private static Task<(bool, string?, JsonElement)> WeComCheckAsync(HttpRequest request, byte[] body)
    {
        var json = Parse(body);
        var ok = request.Query["key"] == WeComKey
            && json.TryGetProperty("msgtype", out var type) && type.GetString() == "markdown"
            && json.TryGetProperty("markdown", out var markdown) && markdown.TryGetProperty("content", out var content)
            && !string.IsNullOrWhiteSpace(content.GetString());
        return Task.FromResult((ok, (string?)null, json));
    }

    /// <summary>access_token, a timestamp (ms) within an hour, and sign = Base64(HMAC-SHA256(secret, "{timestamp}\n{secret}")).</summary>
    private static Task<(bool, string?, JsonElement)> DingTalkCheckAsync(HttpRequest request, byte[] body)
    {
        var json = Parse(body);
        var timestamp = request.Query["timestamp"].ToString();
        var sign = request.Query["sign"].ToString(); // already URL-decoded by the server
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(DingTalkSecret),
            Encoding.UTF8.GetBytes($"{timestamp}\n{DingTalkSecret}")));
        var recent = long.TryParse(timestamp, CultureInfo.InvariantCulture, out var ms)
            && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - ms) < 3_600_000;
        var ok = request.Query["access_token"] == DingTalkToken && recent && sign == expected
            && json.TryGetProperty("msgtype", out var type) && type.GetString() == "markdown"
            && json.TryGetProperty("markdown", out var markdown) && markdown.TryGetProperty("title", out _) && markdown.TryGetProperty("text", out _);
        return Task.FromResult((ok, (string?)null, json));
    }

    /// <summary>The gateway's key as a bearer token, numbers and text in the body.</summary>
    private static Task<(bool, string?, JsonElement)> SmsCheckAsync(HttpRequest request, byte[] body)
    {
        var json = Parse(body);
        var ok = request.Headers.Authorization.ToString() == $"Bearer {SmsApiKey}"
            && json.TryGetProperty("phoneNumbers", out var numbers) && numbers.GetArrayLength() > 0
            && json.TryGetProperty("text", out _) && json.TryGetProperty("reference", out _);
        return Task.FromResult((ok, (string?)(ok ? json.GetProperty("reference").GetString() : null), json));
    }

    private static JsonElement Parse(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
