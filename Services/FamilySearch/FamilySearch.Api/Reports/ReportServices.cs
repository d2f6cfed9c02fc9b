namespace Relief.FamilySearch.Reports;

public static class ReportServices
{
    /// <summary>Missing-person reports: their retention (sealed parts erased years after they end).</summary>
    public static WebApplicationBuilder AddReportServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReportRetentionOptions>().BindConfiguration("Reports:Retention");
        builder.Services.AddSingleton<ReportRetention>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ReportRetention>());
        return builder;
    }
}
