using Relief.Reporting.ReadModel;
using Relief.Reporting.Rebuild;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Reporting;

public static class ReportingServices
{
    public static WebApplicationBuilder AddReportingServices(this WebApplicationBuilder builder)
    {
        builder.AddReliefDatabase("reportingdb", typeof(ReportingServices).Assembly);
        builder.AddReliefMessaging("reporting", bus =>
        {
            bus.AddConsumer<CaseRegisteredConsumer>();
            bus.AddConsumer<IdentityConfirmedConsumer>();
            bus.AddConsumer<CaseUpdatedConsumer>();
            bus.AddConsumer<CaseClosedConsumer>();
            bus.AddConsumer<CaseClassifiedConsumer>();
            bus.AddConsumer<ReferralRequestedConsumer>();
            bus.AddConsumer<ReferralAcceptedConsumer>();
            bus.AddConsumer<ReferralRejectedConsumer>();
            bus.AddConsumer<ReferralStatusChangedConsumer>();
            bus.AddConsumer<ReferralCompletedConsumer>();
            bus.AddConsumer<ReferralOverdueConsumer>();
            bus.AddConsumer<ReliefActionRecordedConsumer>();
            bus.AddConsumer<ReliefActionVoidedConsumer>();
            bus.AddConsumer<ServicePointChangedConsumer>();
            bus.AddConsumer<NoticeDraftedConsumer>();
            bus.AddConsumer<NoticePublishedConsumer>();
            bus.AddConsumer<NoticeWithdrawnConsumer>();
            bus.AddConsumer<NoticeOverdueConsumer>();
        });
        // Situations are health data: read from Intake with Reporting's own client token, never carried on the bus.
        builder.Services.AddHttpClient(nameof(IntakeFacts), http => http.BaseAddress = new Uri("https+http://intake")).AddServiceToken();
        builder.Services.AddSingleton<IntakeFacts>();
        // The sources' history for a rebuild, with the same token.
        builder.Services.AddHttpClient(HistoryClients.Intake, http => http.BaseAddress = new Uri("https+http://intake")).AddServiceToken();
        builder.Services.AddHttpClient(HistoryClients.Referral, http => http.BaseAddress = new Uri("https+http://referral")).AddServiceToken();
        builder.Services.AddHttpClient(HistoryClients.Registry, http => http.BaseAddress = new Uri("https+http://registry")).AddServiceToken();
        builder.Services.AddHttpClient(HistoryClients.FamilySearch, http => http.BaseAddress = new Uri("https+http://familysearch")).AddServiceToken();
        builder.Services.AddSingleton<ReadModelRebuild>();
        builder.Services.AddOptions<RollUpOptions>().BindConfiguration("RollUps");
        builder.Services.AddSingleton<RollUpFolder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RollUpFolder>());
        builder.Services.AddSingleton<ReadModelUnits>();
        return builder;
    }
}

/// <summary>Names this assembly for hosts and tests (the top-level Program has no namespace).</summary>
public sealed class ReportingApi;
