using Relief.ServiceDefaults.Http;
using Relief.Referral.Classification;
using Relief.Referral.Deadlines;
using Relief.Referral.Referrals;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Referral;

public static class ReferralServices
{
    public static WebApplicationBuilder AddReferralServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReferralOptions>().BindConfiguration("Referral");
        builder.Services.AddSingleton<ReferralOpening>();
        builder.Services.AddSingleton<ReferralActions>();
        builder.Services.AddRequestValidators<ReferralApi>();
        builder.AddReliefDatabase("referraldb", typeof(ReferralServices).Assembly);
        builder.AddReliefMessaging("referral", bus =>
        {
            bus.AddConsumer<CaseRegisteredConsumer>();
            bus.AddConsumer<IdentityConfirmedConsumer>();
            bus.AddConsumer<CaseUpdatedConsumer>();
        });
        builder.Services.AddSingleton<RuleSets>();
        builder.Services.AddSingleton<CaseClassification>();
        // Intake by its service-discovery name; a case's facts are read with Referral's own client token.
        builder.Services.AddHttpClient(nameof(IntakeCaseFacts), http => http.BaseAddress = new Uri("https+http://intake")).AddServiceToken();
        builder.Services.AddSingleton<IntakeCaseFacts>();

        // After the database: its migrations have run when the first pass looks for due deadlines.
        builder.Services.AddSingleton<DeadlineWatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DeadlineWatcher>());
        return builder;
    }
}

/// <summary>Names this assembly for hosts and tests (the top-level Program has no namespace).</summary>
public sealed class ReferralApi;
