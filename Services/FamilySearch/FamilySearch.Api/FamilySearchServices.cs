using Relief.FamilySearch.Copies;
using Relief.FamilySearch.Matching;
using Relief.FamilySearch.Notices;
using Relief.FamilySearch.Photos;
using Relief.FamilySearch.Public;
using Relief.FamilySearch.Retention;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.FamilySearch;

public static class FamilySearchServices
{
    public static WebApplicationBuilder AddFamilySearchServices(this WebApplicationBuilder builder)
    {
        builder.AddReliefDatabase("familysearchdb", typeof(FamilySearchServices).Assembly);
        // Notices' details, photos and police answers are sealed at rest with the service's key.
        builder.AddReliefPersonalData();
        builder.AddReliefMessaging("familysearch", bus =>
        {
            bus.AddConsumer<CaseRegisteredConsumer>();
            bus.AddNoticeConsumers();
        });
        builder.AddNoticeServices();
        builder.AddPhotoServices();
        builder.AddPublicNoticeServices();
        builder.AddFamilySearchRetention();
        builder.AddMatchingServices();
        return builder;
    }
}

/// <summary>Names this assembly for hosts and tests (the top-level Program has no namespace).</summary>
public sealed class FamilySearchApi;
