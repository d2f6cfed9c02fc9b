using Microsoft.Extensions.Options;
using Relief.ServiceDefaults.Concurrency;

namespace Relief.Identity.SigningKeys;

/// <summary>
/// Re-reads the keys now and then: picks up a rotation made on another instance and removes retired keys whose
/// grace period is over (they leave the JWKS).
/// </summary>
public sealed partial class SigningKeyRefresher(
    IServiceScopeFactory scopes, IOptions<IdentitySettings> settings, TimeProvider clock, ILogger<SigningKeyRefresher> logger)
    : BackgroundService
{
    // The keys were loaded at start; a failed re-read leaves the keys in memory valid, and the next tick tries again.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicPass.RunAsync(settings.Value.SigningKeyRefreshInterval, async cancellationToken =>
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<SigningKeyStore>().LoadAsync(cancellationToken);
            },
            e => LogRefreshFailed(logger, e.GetType().FullName), stoppingToken, firstPassAtOnce: false, clock);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not re-read the signing keys: {ExceptionType}")]
    private static partial void LogRefreshFailed(ILogger logger, string? exceptionType);
}
