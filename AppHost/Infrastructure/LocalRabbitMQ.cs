using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace Relief.AppHost.Infrastructure;

/// <summary>
/// A RabbitMQ node run from this machine's own installation by <c>scripts/run-rabbitmq.sh</c>, which keeps it running
/// (a node that dies is started again on the same data and ports), with everything it writes in the data folder.
/// </summary>
public sealed class LocalRabbitMQResource(string name, string scriptDirectory, ParameterResource password)
    : ExecutableResource(name, "bash", scriptDirectory), IResourceWithConnectionString
{
    internal const string AmqpEndpointName = "tcp";
    internal const string DistributionEndpointName = "dist";
    internal const string ManagementEndpointName = "management";

    /// <summary>The broker's user, made administrator of the default virtual host.</summary>
    public string UserName { get; } = "relief";

    /// <summary>The password of <see cref="UserName"/>.</summary>
    public ParameterResource Password { get; } = password;

    /// <summary>The AMQP endpoint on 127.0.0.1.</summary>
    public EndpointReference Endpoint => new(this, AmqpEndpointName);

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{UserName}:{Password:uri}@127.0.0.1:{Endpoint.Property(EndpointProperty.Port)}/");
}

internal static class LocalRabbitMQExtensions
{
    public static IResourceBuilder<LocalRabbitMQResource> AddLocalRabbitMQ(
        this IDistributedApplicationBuilder builder, string name, ReliefDataFolder data)
    {
        var epmd = builder.AddLocalEpmd($"{name}-epmd");

        // The node creates its user on the first start only: the password must be the same at every start.
        var password = builder.AddPersistentSecret(data, $"{name}-password");
        var scripts = LocalResources.ScriptDirectory(builder);
        var broker = new LocalRabbitMQResource(name, scripts, password.Resource);

        // Healthy means a client can open an AMQP connection with the real credentials. The connection is kept
        // between checks, as Aspire's own RabbitMQ check does, so the broker's log is not a stream of connects.
        var healthCheckKey = $"{name}_check";
        IConnection? connection = null;
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheckKey, async cancellationToken =>
        {
            if (connection is not { IsOpen: true })
            {
                connection?.Dispose();
                var factory = new ConnectionFactory
                {
                    Uri = new Uri(await broker.ConnectionStringExpression.GetValueAsync(cancellationToken) ?? ""),
                    AutomaticRecoveryEnabled = false,
                    RequestedConnectionTimeout = TimeSpan.FromSeconds(3),
                };
                connection = await factory.CreateConnectionAsync(cancellationToken);
            }

            return HealthCheckResult.Healthy();
        });

        // Both ports allocated by Aspire: left to itself RabbitMQ would take AMQP port + 20000 for distribution,
        // which is past 65535 for many random ports.
        var rabbit = builder.AddResource(broker)
            .WithArgs(Path.Combine(scripts, "run-rabbitmq.sh"))
            .WithEndpoint(name: LocalRabbitMQResource.AmqpEndpointName, scheme: "tcp", isProxied: false)
            .WithEndpoint(name: LocalRabbitMQResource.DistributionEndpointName, scheme: "tcp", isProxied: false)
            // The management UI is where ops look at queue depths and _error queues (user relief, the password parameter).
            .WithHttpEndpoint(name: LocalRabbitMQResource.ManagementEndpointName, isProxied: false)
            .WithEnvironment("RABBITMQ_MANAGEMENT_PORT",
                broker.GetEndpoint(LocalRabbitMQResource.ManagementEndpointName).Property(EndpointProperty.TargetPort))
            .WithEnvironment("RABBITMQ_NODE_PORT", broker.Endpoint.Property(EndpointProperty.TargetPort))
            .WithEnvironment("RABBITMQ_DIST_PORT",
                broker.GetEndpoint(LocalRabbitMQResource.DistributionEndpointName).Property(EndpointProperty.TargetPort))
            .WithEnvironment("ERL_EPMD_PORT", epmd.GetEndpoint("tcp").Property(EndpointProperty.TargetPort))
            .WithEnvironment("RABBITMQ_DEFAULT_USER", broker.UserName)
            .WithEnvironment("RABBITMQ_DEFAULT_PASS", password)
            .WithEnvironment("RELIEF_RABBITMQ_DATA", data.RabbitMQFolder)
            .WithHealthCheck(healthCheckKey)
            .WaitFor(epmd);
        epmd.WithParentRelationship(rabbit);
        return rabbit;
    }

    /// <summary>
    /// The Erlang port mapper as a resource of its own: started by the node it would daemonize and outlive the
    /// AppHost; as a resource it is stopped with everything else.
    /// </summary>
    private static IResourceBuilder<ExecutableResource> AddLocalEpmd(this IDistributedApplicationBuilder builder, string name)
    {
        var epmd = builder.AddExecutable(name, "epmd", builder.AppHostDirectory, "-address", "127.0.0.1")
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false);
        var endpoint = epmd.GetEndpoint("tcp");

        // Healthy means epmd answers a NAMES_REQ (length 1, 'n'): a bare connect would only log "partial packet".
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheckKey, async cancellationToken =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", endpoint.Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync(new byte[] { 0, 1, (byte)'n' }, cancellationToken);
            var epmdPort = new byte[4];
            await stream.ReadExactlyAsync(epmdPort, cancellationToken);
            return HealthCheckResult.Healthy();
        });

        return epmd
            .WithEnvironment("ERL_EPMD_PORT", endpoint.Property(EndpointProperty.TargetPort))
            .WithHealthCheck(healthCheckKey);
    }
}
