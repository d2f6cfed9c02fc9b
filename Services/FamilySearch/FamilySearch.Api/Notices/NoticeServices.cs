using MassTransit;
using Relief.ServiceDefaults.Http;
using Relief.FamilySearch.Deadlines;
using Relief.ServiceDefaults.Authentication;

namespace Relief.FamilySearch.Notices;

/// <summary>The notices' part of the service: their consumers, actions, Intake's facts and the deadline watcher.</summary>
public static class NoticeServices
{
    public static void AddNoticeConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ReferralAcceptedConsumer>();
        bus.AddConsumer<IdentityConfirmedConsumer>();
        bus.AddConsumer<ReferralCompletedConsumer>();
        bus.AddConsumer<CaseClosedConsumer>();
    }

    public static WebApplicationBuilder AddNoticeServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeadlineOptions>().BindConfiguration(DeadlineOptions.SectionName);
        builder.Services.AddRequestValidators<FamilySearchApi>();
        builder.Services.AddSingleton<NoticeActions>();
        // What a notice starts from is personal data: read from Intake with the service's own client token, never the bus.
        builder.Services.AddHttpClient<IntakeNoticeFacts>(http => http.BaseAddress = new Uri("https+http://intake")).AddServiceToken();
        // After the database: its migrations have run when the first pass looks for due deadlines.
        builder.Services.AddSingleton<DeadlineWatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DeadlineWatcher>());
        return builder;
    }
}
