using MassTransit;
using Relief.ServiceDefaults.Messaging;

namespace Relief.IntegrationTests.Infrastructure;

public static class ErrorQueues
{
    /// <summary>The queue a consumer's failed messages end in, named as the service names it.</summary>
    public static string Of<TConsumer>(string service) where TConsumer : class, IConsumer =>
        MessagingExtensions.EndpointNames(service).Consumer<TConsumer>() + "_error";
}
