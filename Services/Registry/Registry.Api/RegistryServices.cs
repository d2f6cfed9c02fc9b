using Relief.ServiceDefaults.Http;
using Relief.Registry.Persons;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Registry;

public static class RegistryServices
{
    public static WebApplicationBuilder AddRegistryServices(this WebApplicationBuilder builder)
    {
        builder.AddReliefDatabase("registrydb", typeof(RegistryServices).Assembly);
        builder.AddReliefMessaging("registry", bus =>
        {
            bus.AddConsumer<CaseRegisteredConsumer>();
            bus.AddConsumer<IdentityConfirmedConsumer>();
            bus.AddConsumer<CaseUpdatedConsumer>();
        });
        builder.Services.AddRequestValidators<RegistryApi>();
        builder.Services.AddSingleton<PersonRegister>();
        // Intake by its service-discovery name; the person of a case is read with Registry's own client token.
        builder.Services.AddHttpClient(nameof(IntakeCases), http => http.BaseAddress = new Uri("https+http://intake")).AddServiceToken();
        builder.Services.AddSingleton<IntakeCases>();
        return builder;
    }
}

/// <summary>Names this assembly for hosts and tests (the top-level Program has no namespace).</summary>
public sealed class RegistryApi;
