using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenIddict.Abstractions;
using Relief.Identity.Offices;
using Relief.Identity.SigningKeys;
using Relief.Identity.Tokens;
using Relief.Identity.Users;
using Relief.ServiceDefaults.Authentication;

using Relief.ServiceDefaults.Data;

namespace Relief.Identity.Storage;

/// <summary>
/// At start-up, before the server listens: creates the database if missing, applies the EF Core migrations,
/// and seeds the roles, the city bureau, the clients, the keys and the first administrator, and announces the offices
/// never announced (<see cref="OfficeChanges.AnnounceUnannouncedAsync"/>) — under a PostgreSQL advisory lock, so two
/// instances starting together take turns. Then loads the keys. The shared outbox tables exist by then: their scripts
/// (<see cref="DatabaseMigrator"/>) run first.
/// </summary>
public sealed partial class IdentityBootstrapper(
    IServiceScopeFactory scopes, IConfiguration configuration, IOptions<IdentitySettings> settings, TimeProvider clock,
    ILogger<IdentityBootstrapper> logger) : IHostedService
{
    public const string ConnectionName = "identitydb";
    // Not the services' migration lock: a different key, so the authority never waits on them.
    private const long BootstrapLockKey = 0x52454c4945464944; // "RELIEFID"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connectionString = configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not configured.");
        await DatabaseMigrator.EnsureDatabaseAsync(connectionString, cancellationToken);

        await using var lockConnection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await lockConnection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("select pg_advisory_lock(@key)", lockConnection))
        {
            take.Parameters.AddWithValue("key", BootstrapLockKey);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        try
        {
            await services.GetRequiredService<IdentityDb>().Database.MigrateAsync(cancellationToken);
            await SeedAsync(services, cancellationToken);
            await services.GetRequiredService<SigningKeyStore>().EnsureKeysAsync(cancellationToken);
        }
        finally
        {
            await using var release = new NpgsqlCommand("select pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", BootstrapLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }

        await services.GetRequiredService<SigningKeyStore>().LoadAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in ReliefRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        var db = services.GetRequiredService<IdentityDb>();
        if (!await db.Offices.AnyAsync(o => o.Code == Office.CityBureauCode, cancellationToken))
        {
            var now = clock.GetUtcNow();
            // Version 0: announced just below, with every other office not announced yet.
            db.Offices.Add(new Office
            {
                Code = Office.CityBureauCode,
                Name = "运城市民政局 (city civil-affairs bureau)",
                Kind = OfficeKinds.CityBureau,
                CountyCode = Office.CityCountyCode,
                CreatedAt = now,
                ChangedAt = now,
            });
            await db.SaveChangesAsync(cancellationToken);
        }

        var announced = await services.GetRequiredService<OfficeChanges>().AnnounceUnannouncedAsync(cancellationToken);
        if (announced > 0)
        {
            LogOfficesAnnounced(logger, announced);
        }

        await Clients.SeedAsync(services.GetRequiredService<IOpenIddictApplicationManager>(), settings.Value, cancellationToken);
        await SeedAdministratorAsync(services.GetRequiredService<UserManager<StaffUser>>(), cancellationToken);
    }

    private async Task SeedAdministratorAsync(UserManager<StaffUser> users, CancellationToken cancellationToken)
    {
        var bootstrap = settings.Value.Bootstrap;
        if ((await users.GetUsersInRoleAsync(ReliefRoles.CityAdministrator)).Count > 0)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(bootstrap.AdminUserName) || string.IsNullOrEmpty(bootstrap.AdminPassword))
        {
            LogNoAdministrator(logger);
            return;
        }

        var admin = new StaffUser { UserName = bootstrap.AdminUserName, OfficeCode = Office.CityBureauCode, CreatedAt = clock.GetUtcNow() };
        var created = await users.CreateAsync(admin, bootstrap.AdminPassword);
        var assigned = created.Succeeded ? await users.AddToRoleAsync(admin, ReliefRoles.CityAdministrator) : created;
        if (!assigned.Succeeded)
        {
            // Codes only ("PasswordTooShort"): descriptions are harmless, but the codes say it all.
            throw new InvalidOperationException(
                $"The bootstrap administrator could not be created: {string.Join(", ", assigned.Errors.Select(e => e.Code))}.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        LogAdministratorCreated(logger, bootstrap.AdminUserName);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Announced {Count} office(s) not announced before (OfficeChanged, through the outbox)")]
    private static partial void LogOfficesAnnounced(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No city administrator exists and Identity:Bootstrap:AdminUserName/AdminPassword are not set")]
    private static partial void LogNoAdministrator(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the bootstrap city administrator {UserName}")]
    private static partial void LogAdministratorCreated(ILogger logger, string userName);
}
