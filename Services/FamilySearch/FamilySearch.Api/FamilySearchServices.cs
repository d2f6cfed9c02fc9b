using Relief.FamilySearch.Copies;
using Relief.FamilySearch.Matching;
using Relief.FamilySearch.Reports;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.FamilySearch;

public static class FamilySearchServices
{
    public static WebApplicationBuilder AddFamilySearchServices(this WebApplicationBuilder builder)
    {
        builder.AddReliefDatabase("familysearchdb", typeof(FamilySearchServices).Assembly);
        builder.AddReliefMessaging("familysearch", bus =>
        {
            bus.AddConsumer<CaseRegisteredConsumer>();
        });
        builder.AddReliefPersonalData();
        builder.Services.AddOptions<MatchingOptions>().BindConfiguration("Matching");
        builder.Services.AddOptions<ReportRetentionOptions>().BindConfiguration("Reports:Retention");
        builder.Services.AddSingleton<ReportRetention>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ReportRetention>());
        builder.Services.AddSingleton<MatchingPass>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MatchingPass>());
        return builder;
    }
}

/// <summary>Names this assembly for hosts and tests (the top-level Program has no namespace).</summary>
public sealed class FamilySearchApi;
