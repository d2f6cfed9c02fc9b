using Relief.ServiceDefaults;
using System.Text.Json.Serialization;
using FluentValidation;
using Relief.Intake.Contracts;

namespace Relief.Intake.Cases;

/// <summary>
/// 问询登记: what staff or a hotline operator record first. Everything but the point, county, channel and
/// need may be unknown: people who cannot give details are helped first and identified later.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegisterCaseRequest(
    string? ServicePointCode,
    string? CountyCode,
    IntakeChannel? Channel,
    string? PersonName,
    Sex? Sex,
    int? EstimatedAge,
    ReliefNeed? Need,
    string? Circumstances,
    /// <summary>居民身份证号码, when the person has it; sealed at rest, never on the bus.</summary>
    string? IdNumber = null);

public sealed class RegisterCaseRequestValidator : AbstractValidator<RegisterCaseRequest>
{
    public RegisterCaseRequestValidator() : this(TimeProvider.System)
    {
    }

    public RegisterCaseRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.IdNumber).ResidentIdNumber(clock, required: false);
        RuleFor(r => r.ServicePointCode).NotEmpty().MaximumLength(32)
            .Matches("^[A-Za-z0-9-]+$").WithMessage("A service point code has letters, digits and dashes only.");
        RuleFor(r => r.CountyCode).NotEmpty()
            .Must(YunchengCounties.Contains).WithMessage("'{PropertyValue}' is not a county code of Yuncheng (GB/T 2260).");
        RuleFor(r => r.Channel).NotNull();
        RuleFor(r => r.Need).NotNull();
        RuleFor(r => r.PersonName).MaximumLength(50);
        RuleFor(r => r.EstimatedAge).InclusiveBetween(0, 120);
        RuleFor(r => r.Circumstances).MaximumLength(2000);
    }
}
