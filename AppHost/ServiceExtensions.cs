using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Relief.AppHost;

internal static partial class ServiceExtensions
{
    /// <summary>
    /// The authority names itself by the address services reach it at, so the issuer in its tokens is the one the
    /// services find in its discovery document, whichever address a client used to sign in.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AsIssuer(this IResourceBuilder<ProjectResource> identity) =>
        identity.WithEnvironment("Identity__Issuer", identity.GetEndpoint("http"));

    /// <summary>The service accepts access tokens of the identity authority (discovery document and keys over http).</summary>
    public static IResourceBuilder<ProjectResource> WithTokenValidation(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<ProjectResource> identity) =>
        service.WithEnvironment("Authentication__Authority", identity.GetEndpoint("http"))
            .WithEnvironment("Authentication__RequireHttpsMetadata", "false")
            .WithEnvironment("Authentication__Audience", "relief")
            .WaitFor(identity);

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
