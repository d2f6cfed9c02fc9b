using System.Text.Json;
using FluentValidation;
using Relief.ServiceDefaults;

namespace Relief.Registry.ServicePoints;

/// <summary>A new point: always <c>planned</c> at first; it becomes <c>embedded</c> through a status change.</summary>
public sealed record CreateServicePointRequest(
    string Code, string Name, string Kind, string CountyCode, string Address, double Longitude, double Latitude,
    JsonElement OpeningHours, string? Phone, string[]? Services, string? ReceivingStationCode, bool IsDemo = false);

/// <summary>A point's new description, on the version the editor read (409 when someone changed it since).</summary>
public sealed record UpdateServicePointRequest(
    string Name, string Kind, string CountyCode, string Address, double Longitude, double Latitude, JsonElement OpeningHours,
    string? Phone, string[]? Services, string? ReceivingStationCode, int? StaffTrainedCount, DateOnly? StaffTrainedOn, int Version);

/// <summary>
/// A move to another status, on the version read. Embedding records when the sign and reminder board went up and the
/// staff training (count and date).
/// </summary>
public sealed record ChangeStatusRequest(
    string Status, int Version, string? Note, DateOnly? SignInstalledOn, int? StaffTrainedCount, DateOnly? StaffTrainedOn);

/// <summary>Rules every description of a point follows, shared by create and update.</summary>
public static class PointRules
{
    /// <summary>Yuncheng's extent (a box around its 13 counties, from shared/data's outlines).</summary>
    public const double MinLongitude = 110.2, MaxLongitude = 112.1, MinLatitude = 34.55, MaxLatitude = 35.85;

    public static void Describe<T>(AbstractValidator<T> validator,
        Func<T, string> name, Func<T, string> kind, Func<T, string> county, Func<T, string> address,
        Func<T, double> longitude, Func<T, double> latitude, Func<T, JsonElement> hours, Func<T, string[]?> services, Func<T, string?> phone)
    {
        validator.RuleFor(r => name(r)).NotEmpty().MaximumLength(200).OverridePropertyName("name");
        validator.RuleFor(r => kind(r)).Must(k => PointKinds.All.Contains(k)).OverridePropertyName("kind")
            .WithMessage($"The kind is one of: {string.Join(", ", PointKinds.All)}.");
        validator.RuleFor(r => county(r)).Must(YunchengCounties.Contains).OverridePropertyName("countyCode")
            .WithMessage("The county is one of Yuncheng's 13 (GB/T 2260 code, e.g. 140802).");
        validator.RuleFor(r => address(r)).NotEmpty().MaximumLength(300).OverridePropertyName("address");
        validator.RuleFor(r => longitude(r)).InclusiveBetween(MinLongitude, MaxLongitude).OverridePropertyName("longitude")
            .WithMessage($"The longitude lies in Yuncheng: {MinLongitude}–{MaxLongitude}.");
        validator.RuleFor(r => latitude(r)).InclusiveBetween(MinLatitude, MaxLatitude).OverridePropertyName("latitude")
            .WithMessage($"The latitude lies in Yuncheng: {MinLatitude}–{MaxLatitude}.");
        validator.RuleFor(r => hours(r)).Custom((json, context) =>
        {
            if (!OpeningHours.TryParse(json, out _, out var error))
            {
                context.AddFailure("openingHours", error!);
            }
        });
        validator.RuleForEach(r => services(r) ?? Array.Empty<string>()).Must(s => PointServices.All.Contains(s)).OverridePropertyName("services")
            .WithMessage($"Services are some of: {string.Join(", ", PointServices.All)}.");
        validator.RuleFor(r => phone(r)).MaximumLength(40).Matches("^[0-9+\\- ]*$").OverridePropertyName("phone")
            .WithMessage("The phone number is digits, spaces, + and -.");
    }
}

public sealed class CreateServicePointRequestValidator : AbstractValidator<CreateServicePointRequest>
{
    public CreateServicePointRequestValidator()
    {
        RuleFor(r => r.Code).NotEmpty().Matches("^[A-Z0-9][A-Z0-9-]{1,31}$")
            .WithMessage("The code is 2 to 32 upper-case letters, digits and hyphens, e.g. YH-CC-001.");
        PointRules.Describe(this, r => r.Name, r => r.Kind, r => r.CountyCode, r => r.Address, r => r.Longitude, r => r.Latitude,
            r => r.OpeningHours, r => r.Services, r => r.Phone);
    }
}

public sealed class UpdateServicePointRequestValidator : AbstractValidator<UpdateServicePointRequest>
{
    public UpdateServicePointRequestValidator()
    {
        PointRules.Describe(this, r => r.Name, r => r.Kind, r => r.CountyCode, r => r.Address, r => r.Longitude, r => r.Latitude,
            r => r.OpeningHours, r => r.Services, r => r.Phone);
        RuleFor(r => r.StaffTrainedCount).GreaterThanOrEqualTo(0);
        RuleFor(r => r.Version).GreaterThan(0);
    }
}

public sealed class ChangeStatusRequestValidator : AbstractValidator<ChangeStatusRequest>
{
    public ChangeStatusRequestValidator()
    {
        RuleFor(r => r.Status).Must(s => PointStatuses.All.Contains(s))
            .WithMessage($"The status is one of: {string.Join(", ", PointStatuses.All)}.");
        RuleFor(r => r.Version).GreaterThan(0);
        RuleFor(r => r.Note).MaximumLength(500);
        RuleFor(r => r.StaffTrainedCount).GreaterThanOrEqualTo(0);
    }
}
