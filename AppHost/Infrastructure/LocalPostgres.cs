using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Relief.AppHost.Infrastructure;

/// <summary>
/// A PostgreSQL server run from this machine's own binaries by <c>scripts/run-postgres.sh</c>, which keeps it running
/// (a server that dies is started again on the same data and port), with its cluster in the data folder.
/// </summary>
public sealed class LocalPostgresResource(string name, string scriptDirectory, ParameterResource password)
    : ExecutableResource(name, "bash", scriptDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    /// <summary>The password of the <c>postgres</c> superuser.</summary>
    public ParameterResource Password { get; } = password;

    /// <summary>The server's TCP endpoint on 127.0.0.1.</summary>
    public EndpointReference Endpoint => new(this, EndpointName);

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host=127.0.0.1;Port={Endpoint.Property(EndpointProperty.Port)};Username=postgres;Password={Password}");
}

internal static class LocalPostgresExtensions
{
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, ReliefDataFolder data)
    {
        // The cluster keeps the password it was created with: it must be the same at every start.
        var password = builder.AddPersistentSecret(data, $"{name}-password");
        var scripts = LocalResources.ScriptDirectory(builder);
        var server = new LocalPostgresResource(name, scripts, password.Resource);

        // Healthy means a client can log in and run a query, not just that the port is open.
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheckKey, async cancellationToken =>
        {
            var connectionString = new NpgsqlConnectionStringBuilder(
                await server.ConnectionStringExpression.GetValueAsync(cancellationToken))
            {
                Pooling = false, // nothing left open between checks
                Timeout = 3,
            };
            await using var connection = new NpgsqlConnection(connectionString.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("select 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        });

        // Not proxied and no fixed port: Aspire picks a free loopback port and postgres listens on it itself.
        return builder.AddResource(server)
            .WithArgs(Path.Combine(scripts, "run-postgres.sh"))
            .WithEndpoint(name: LocalPostgresResource.EndpointName, scheme: "tcp", isProxied: false)
            .WithEnvironment("PGPORT", server.Endpoint.Property(EndpointProperty.TargetPort))
            .WithEnvironment("POSTGRES_PASSWORD", password)
            .WithEnvironment("RELIEF_POSTGRES_DATA", data.PostgresFolder)
            .WithHealthCheck(healthCheckKey);
    }
}
