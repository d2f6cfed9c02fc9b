using Microsoft.Extensions.Options;

namespace Relief.Identity.SigningKeys;

/// <summary>
/// Re-reads the keys now and then: picks up a rotation made on another instance and removes retired keys whose
/// grace period is over (they leave the JWKS).
/// </summary>
public sealed partial class SigningKeyRefresher(
    IServiceScopeFactory scopes, IOptions<IdentitySettings> settings, TimeProvider clock, ILogger<SigningKeyRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Value.SigningKeyRefreshInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<SigningKeyStore>().LoadAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The keys in memory stay valid; the next tick tries again.
                LogRefreshFailed(logger, e.GetType().FullName);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not re-read the signing keys: {ExceptionType}")]
    private static partial void LogRefreshFailed(ILogger logger, string? exceptionType);
}
