using Microsoft.Extensions.Compliance.Classification;

namespace Relief.ServiceDefaults.PersonalData;

/// <summary>Relief's data classes: what the log redactor must erase.</summary>
public static class ReliefDataClassification
{
    public const string TaxonomyName = "Relief";

    /// <summary>Sensitive personal information (PIPL art. 28): names, identity documents, health, whereabouts.</summary>
    public static DataClassification Personal { get; } = new(TaxonomyName, nameof(Personal));
}

/// <summary>Marks a logged value as personal data: it is erased before any log provider sees it.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PersonalDataAttribute() : DataClassificationAttribute(ReliefDataClassification.Personal);
