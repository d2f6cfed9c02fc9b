using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Relief.ServiceDefaults.PersonalData;

public static class PersonalDataExtensions
{
    /// <summary>Sealing of personal data at rest, with the keys checked at start-up rather than at first use.</summary>
    public static TBuilder AddReliefPersonalData<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<PersonalDataOptions>()
            .BindConfiguration(PersonalDataOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PersonalDataOptions>, PersonalDataOptionsValidator>();
        builder.Services.AddSingleton<PersonalDataProtector>();
        return builder;
    }
}
