using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Relief.AppHost.Infrastructure;

/// <summary>The shared PostgreSQL server and RabbitMQ broker every Relief service uses.</summary>
public sealed class ReliefInfrastructure
{
    internal ReliefInfrastructure(
        InfrastructureMode mode,
        ReliefDataFolder data,
        IResourceBuilder<IResourceWithConnectionString> postgres,
        IResourceBuilder<IResourceWithConnectionString> messaging)
    {
        Mode = mode;
        Data = data;
        Postgres = postgres;
        Messaging = messaging;
    }

    /// <summary>The mode in use: <see cref="InfrastructureMode.Containers"/> or <see cref="InfrastructureMode.Local"/>.</summary>
    public InfrastructureMode Mode { get; }

    /// <summary>Where the stack's state lives between runs: secrets, and in local mode the servers' data.</summary>
    public ReliefDataFolder Data { get; }

    /// <summary>The PostgreSQL server ("postgres"); one database per service lives on it.</summary>
    public IResourceBuilder<IResourceWithConnectionString> Postgres { get; }

    /// <summary>The RabbitMQ broker ("messaging").</summary>
    public IResourceBuilder<IResourceWithConnectionString> Messaging { get; }
}

public static partial class ReliefInfrastructureExtensions
{
    /// <summary>
    /// Adds the PostgreSQL server and the RabbitMQ broker (and, in local mode, its epmd) for the mode configured in
    /// <c>Infrastructure:Mode</c>: <c>auto</c> (default), <c>containers</c> or <c>local</c>.
    /// </summary>
    public static ReliefInfrastructure AddReliefInfrastructure(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var configured = builder.Configuration[InfrastructureModeResolver.ConfigurationKey] ?? "auto";
        var mode = InfrastructureModeResolver.Resolve(builder.Configuration);
        var data = ReliefDataFolder.Open(builder.Configuration);
        // Say which mode "auto" settled on and where the data is: the first questions when something is missing.
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var logger = @event.Services.GetRequiredService<ILogger<ReliefInfrastructure>>();
            LogMode(logger, mode, configured, data.Path);
            return Task.CompletedTask;
        });

        if (mode == InfrastructureMode.Containers)
        {
            // Named volumes keep the data between runs, as the local mode's folder does; the secrets stay in the folder.
            var postgres = builder.AddPostgres("postgres", password: builder.AddPersistentSecret(data, "postgres-password"))
                .WithDataVolume("relief-postgres");
            var rabbit = builder.AddRabbitMQ("messaging", password: builder.AddPersistentSecret(data, "messaging-password"))
                .WithDataVolume("relief-rabbitmq");
            return new(mode, data, postgres, rabbit);
        }

        return new(mode, data, builder.AddLocalPostgres("postgres", data), builder.AddLocalRabbitMQ("messaging", data));
    }

    /// <summary>
    /// Gives <paramref name="service"/> <c>ConnectionStrings__{databaseName}</c> (a database of that name on the shared
    /// server; the service creates it if missing) and <c>ConnectionStrings__messaging</c>, and starts it only once both
    /// servers are healthy.
    /// </summary>
    public static IResourceBuilder<T> WithReliefInfrastructure<T>(
        this IResourceBuilder<T> service, ReliefInfrastructure infrastructure, string databaseName)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(infrastructure);
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseName);

        if (infrastructure.Postgres is IResourceBuilder<PostgresServerResource> container)
        {
            service.WithReference(container.AddDatabase(databaseName));
        }
        else
        {
            // The local server has no database resources: the database is just a connection string setting.
            var server = infrastructure.Postgres.Resource;
            service
                .WithEnvironment($"ConnectionStrings__{databaseName}",
                    ReferenceExpression.Create($"{server.ConnectionStringExpression};Database={databaseName}"))
                .WithReferenceRelationship(server);
        }

        return service
            .WithReference(infrastructure.Messaging)
            .WaitFor(infrastructure.Postgres)
            .WaitFor(infrastructure.Messaging);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Infrastructure mode {Mode} (configured: {Configured}); data folder {DataFolder}")]
    private static partial void LogMode(ILogger logger, InfrastructureMode mode, string configured, string dataFolder);
}
