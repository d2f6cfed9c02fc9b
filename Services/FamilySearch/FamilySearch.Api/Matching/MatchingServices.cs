namespace Relief.FamilySearch.Matching;

public static class MatchingServices
{
    /// <summary>The matching pass: notices and reports scored against each other as either side arrives or changes.</summary>
    public static WebApplicationBuilder AddMatchingServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MatchingOptions>().BindConfiguration("Matching");
        builder.Services.AddSingleton<MatchingPass>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MatchingPass>());
        return builder;
    }
}
