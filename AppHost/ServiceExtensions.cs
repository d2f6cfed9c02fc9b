using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Relief.AppHost;

internal static partial class ServiceExtensions
{
    /// <summary>The service checks access tokens against the development issuer's key.</summary>
    public static IResourceBuilder<ProjectResource> WithTokenValidation(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<ParameterResource> signingKey) =>
        service.WithEnvironment("Authentication__SigningKey", signingKey)
            .WithEnvironment("Authentication__Issuer", "relief-dev")
            .WithEnvironment("Authentication__Audience", "relief");

    /// <summary>Prints the service's address at start-up, so a developer knows where to send requests.</summary>
    public static IResourceBuilder<ProjectResource> WithAddressPrinted(this IResourceBuilder<ProjectResource> service)
    {
        service.ApplicationBuilder.Eventing.Subscribe<ResourceEndpointsAllocatedEvent>(service.Resource, (e, _) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Relief");
            foreach (var endpoint in service.Resource.Annotations.OfType<EndpointAnnotation>())
            {
                LogServiceAddress(logger, service.Resource.Name, endpoint.AllocatedEndpoint?.UriString ?? "(not allocated)");
            }

            return Task.CompletedTask;
        });
        return service;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Service {Service} listens on {Address}")]
    private static partial void LogServiceAddress(ILogger logger, string service, string address);
}
