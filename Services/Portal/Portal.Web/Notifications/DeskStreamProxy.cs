using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Relief.Portal.Clients;

namespace Relief.Portal.Notifications;

/// <summary>
/// The duty desk's live feed for the browser (<c>GET /desk/stream</c>): the portal opens Notification's
/// <c>/api/desk/stream</c> as the signed-in user and passes each event on as it comes, so the browser needs no token and
/// talks to its own origin only. The browser's <c>EventSource</c> reconnects by itself and sends the last event's id,
/// which goes on to Notification, which replays what was missed.
/// </summary>
public static partial class DeskStreamProxy
{
    /// <summary>How soon the browser comes back after the portal ends a stream on purpose (a session re-check).</summary>
    private const int ReconnectMilliseconds = 1000;

    /// <summary>How long the browser waits before trying again when Notification could not be reached.</summary>
    private const int UnavailableRetryMilliseconds = 15_000;

    /// <summary>
    /// Streams the desk. The stream ends after <see cref="PortalSettings.RecheckEvery"/> (or when the access token nears
    /// its end): the browser reconnects within a second, and that request goes through the session check every request
    /// does — a refreshed token, or a disabled user's session ended — instead of one token held open for a whole shift.
    /// Answers 204 where there is no feed to give (nobody signed in, a user without a desk), which tells
    /// <c>EventSource</c> to stop rather than retry.
    /// </summary>
    public static async Task StreamAsync(
        HttpContext http, DeskStreamClient notification, IAuthorizationService authorization, IOptions<PortalSettings> settings,
        TimeProvider clock, ILoggerFactory loggers)
    {
        var aborted = http.RequestAborted;
        if (http.User.Identity?.IsAuthenticated != true
            || !(await authorization.AuthorizeAsync(http.User, PortalPolicies.DeskUsers)).Succeeded
            || await http.GetTokenAsync("access_token") is not { } accessToken)
        {
            http.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        var lastEventId = LastEventId(http.Request);
        var window = StreamWindow(http, settings.Value, clock);
        var logger = loggers.CreateLogger(typeof(DeskStreamProxy));
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        lifetime.CancelAfter(window);

        HttpResponseMessage upstream;
        try
        {
            upstream = await notification.OpenAsync(accessToken, lastEventId, lifetime.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            if (aborted.IsCancellationRequested)
            {
                return;
            }

            LogUnavailable(logger, e.GetType().Name);
            await AnswerRetryLaterAsync(http, aborted);
            return;
        }

        using (upstream)
        {
            if ((int)upstream.StatusCode is 401 or 403 or 404)
            {
                // The token was refused or the user's office has no desk: nothing the browser can fix by retrying.
                http.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            if (!upstream.IsSuccessStatusCode)
            {
                LogRefused(logger, (int)upstream.StatusCode);
                await AnswerRetryLaterAsync(http, aborted);
                return;
            }

            StartEventStream(http);
            try
            {
                await WriteAsync(http, $"retry: {ReconnectMilliseconds}\n\n", aborted);
                await using var body = await upstream.Content.ReadAsStreamAsync(lifetime.Token);
                await CopyEventsAsync(body, http, lifetime.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException
                                       && (lifetime.IsCancellationRequested || aborted.IsCancellationRequested))
            {
                // The browser went away, or the window for this stream ended: the end of a stream, not a fault.
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // Notification ended the stream mid-way (a restart): the browser reconnects and is replayed what it missed.
                LogUpstreamEnded(logger);
            }
        }
    }

    /// <summary>The browser's last event: its <c>Last-Event-ID</c> header on a reconnect, else the page's newest item.</summary>
    private static long? LastEventId(HttpRequest request)
    {
        var given = request.Headers["Last-Event-ID"].ToString();
        if (string.IsNullOrEmpty(given))
        {
            given = request.Query["lastEventId"].ToString();
        }

        return long.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    private static TimeSpan StreamWindow(HttpContext http, PortalSettings settings, TimeProvider clock)
    {
        var window = settings.RecheckEvery;
        var expiresAt = http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.GetTokenValue("expires_at");
        if (DateTimeOffset.TryParse(expiresAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
        {
            var left = at - clock.GetUtcNow() - TimeSpan.FromMinutes(1);
            window = left < window ? left : window;
        }

        return window < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : window;
    }

    private static void StartEventStream(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        // No proxy in between may hold events back to fill a buffer.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>An empty stream that only sets when the browser comes back: Notification is down, the page goes on.</summary>
    private static async Task AnswerRetryLaterAsync(HttpContext http, CancellationToken aborted)
    {
        StartEventStream(http);
        try
        {
            await WriteAsync(http, $"retry: {UnavailableRetryMilliseconds}\n\n", aborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The browser went away meanwhile.
        }
    }

    /// <summary>
    /// Passes the events on whole: lines are gathered until the blank line that ends an event (or a keep-alive comment),
    /// then written and flushed at once, so the browser sees each event as soon as Notification sent it and never half of
    /// one when the stream ends.
    /// </summary>
    private static async Task CopyEventsAsync(Stream upstream, HttpContext http, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(upstream, Encoding.UTF8);
        var pending = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            pending.Append(line).Append('\n');
            if (line.Length == 0)
            {
                await WriteAsync(http, pending.ToString(), cancellationToken);
                pending.Clear();
            }
        }
    }

    private static async Task WriteAsync(HttpContext http, string text, CancellationToken cancellationToken)
    {
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The desk's live feed could not be opened at Notification ({Reason}); the browser tries again later")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification answered {Status} to a desk's live feed; the browser tries again later")]
    private static partial void LogRefused(ILogger logger, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification ended a desk's live feed mid-way; the browser reconnects")]
    private static partial void LogUpstreamEnded(ILogger logger);
}
