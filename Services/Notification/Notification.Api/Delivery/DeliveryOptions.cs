namespace Relief.Notification.Delivery;

/// <summary>How desk items leave Relief ("Notification" in configuration).</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notification";

    /// <summary>The portal's address: a desk item's link (a path) is made absolute with it in every message sent out.</summary>
    public Uri? PortalUrl { get; set; }

    public DeliveryOptions Delivery { get; set; } = new();

    public SmsOptions Sms { get; set; } = new();

    /// <summary>The absolute link of a desk item's path; the path alone while no portal address is configured.</summary>
    public string AbsoluteLink(string path) => PortalUrl is null ? path : new Uri(PortalUrl, path).ToString();
}

/// <summary>Attempts, back-off and limits of the dispatcher ("Notification:Delivery").</summary>
public sealed class DeliveryOptions
{
    /// <summary>Attempts before a delivery is marked failed and raised to ops.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait before the second attempt; each further one waits twice as long (with jitter), up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>One attempt's limit, waiting for the target's turn included.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the dispatcher looks for due deliveries besides being woken by a new desk item.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a claimed delivery is this instance's: longer than an attempt can take. If the instance dies meanwhile,
    /// another takes the delivery once this has passed.
    /// </summary>
    public TimeSpan ClaimFor { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Requests in flight to one target host at a time, so a slow webhook holds its own slots, not everyone's.</summary>
    public int ConcurrencyPerTarget { get; set; } = 4;

    /// <summary>Requests waiting for a slot of one target host; more are refused at once and retried later.</summary>
    public int QueuePerTarget { get; set; } = 100;

    /// <summary>Deliveries one instance sends at a time, over all targets.</summary>
    public int MaxInFlight { get; set; } = 64;

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1: exponential, capped, with ±20% jitter so retries spread out.</summary>
    public TimeSpan BackoffAfter(int attempt)
    {
        var exponential = FirstBackoff.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1));
        var capped = Math.Min(exponential, MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + (0.4 * Random.Shared.NextDouble())));
    }
}

/// <summary>
/// The bureau's SMS gateway ("Notification:Sms"): Relief posts a small JSON request (README, Notification channels) to
/// <see cref="GatewayUrl"/> with <see cref="ApiKey"/> as a bearer token; an adapter at the bureau speaks its provider's API.
/// </summary>
public sealed class SmsOptions
{
    public Uri? GatewayUrl { get; set; }

    public string? ApiKey { get; set; }

    public bool Configured => GatewayUrl is not null;
}
