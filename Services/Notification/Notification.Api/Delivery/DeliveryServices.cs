using System.Threading.RateLimiting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Relief.Notification.Subscriptions;

namespace Relief.Notification.Delivery;

public static class DeliveryServices
{
    /// <summary>Subscriptions, the dispatcher and the outbound client it sends through.</summary>
    public static WebApplicationBuilder AddDeliveryServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.SectionName);
        builder.Services.AddSingleton<DeliveryChannels>();

        // Deliveries leave through a client of their own. Not the standard pipeline every other client gets
        // (ServiceDefaults): its retries would multiply ours unseen — the dispatcher's attempts are the ones recorded
        // and backed off. Per target host (SelectPipelineByAuthority) a concurrency limit, so a slow webhook fills its
        // own slots and not the others', and inside each attempt's timeout, waiting for a slot included.
        // RemoveAllResilienceHandlers is marked for evaluation, but it is the one way to take the defaults' handler off one client.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(DeliveryChannels.ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            // A webhook is called, never followed elsewhere: a redirect would carry the signed request to another host.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RemoveAllResilienceHandlers()
            .AddResilienceHandler("delivery", (pipeline, context) =>
            {
                var settings = context.ServiceProvider.GetRequiredService<IOptions<NotificationOptions>>().Value.Delivery;
                pipeline.AddTimeout(settings.AttemptTimeout);
                pipeline.AddConcurrencyLimiter(new ConcurrencyLimiterOptions
                {
                    PermitLimit = settings.ConcurrencyPerTarget,
                    QueueLimit = settings.QueuePerTarget,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                });
            })
            .SelectPipelineByAuthority();
#pragma warning restore EXTEXP0001

        // After the database: its migrations have run when the first pass looks for due deliveries.
        builder.Services.AddSingleton<DeliveryDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DeliveryDispatcher>());
        return builder;
    }

    public static IEndpointRouteBuilder MapDeliveryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapSubscriptionEndpoints();
        app.MapDeliveryLogEndpoints();
        return app;
    }
}
