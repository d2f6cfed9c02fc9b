using Relief.ServiceDefaults.Http;
using Relief.Intake.Cases;
using Relief.Intake.FamilySearch;
using Relief.Intake.Referrals;
using Relief.Intake.Retention;
using Relief.Intake.ServicePoints;
using Relief.ServiceDefaults.PersonalData;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Intake;

public static class IntakeServices
{
    public static WebApplicationBuilder AddIntakeServices(this WebApplicationBuilder builder)
    {
        builder.AddReliefDatabase("intakedb", typeof(IntakeServices).Assembly);
        builder.AddReliefPersonalData();
        builder.AddReliefMessaging("intake", bus =>
        {
            // The case's timeline and closing, from what Referral reports (issue 11).
            bus.AddConsumer<ReferralRequestedConsumer>();
            bus.AddConsumer<ReferralAcceptedConsumer>();
            bus.AddConsumer<ReferralRejectedConsumer>();
            bus.AddConsumer<ReferralStatusChangedConsumer>();
            bus.AddConsumer<ReferralCompletedConsumer>();
            bus.AddConsumer<ReferralOverdueConsumer>();
            bus.AddConsumer<CaseClassifiedConsumer>();
            bus.AddConsumer<ReliefActionRecordedConsumer>();
            bus.AddConsumer<ReliefActionVoidedConsumer>();
            bus.AddConsumer<ServicePointChangedConsumer>();
            bus.AddConsumer<ReunionConfirmedConsumer>();
        });
        builder.Services.AddRequestValidators<IntakeApi>();
        builder.Services.AddSingleton<GroupCommit>();
        builder.Services.AddSingleton<CaseRegistration>();
        builder.Services.AddOptions<ServicePointDirectoryOptions>().BindConfiguration("ServicePoints");
        builder.Services.AddSingleton<ServicePointDirectory>();

        builder.Services.AddOptions<RetentionOptions>().BindConfiguration("Retention");
        builder.Services.AddSingleton<CaseRetention>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CaseRetention>());
        return builder;
    }
}

/// <summary>Names this assembly for hosts and tests (the top-level Program has no namespace).</summary>
public sealed class IntakeApi;
