using System.Text.Json.Serialization;
using FluentValidation;
using Relief.Intake.Contracts;
using Relief.ServiceDefaults;

namespace Relief.Intake.Cases;

/// <summary>
/// 问询登记: what staff or a hotline operator record. Everything but the point, county, channel and need may be unknown:
/// people who cannot give details are helped first and identified later. Unknown members are refused, not dropped.
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
    string? IdNumber = null,
    DateOnly? BirthDate = null,
    /// <summary>户籍地, as the person gives it.</summary>
    string? HouseholdPlace = null,
    /// <summary>低保/五保: unknown, none, dibao, wubao.</summary>
    string? Benefits = null,
    string[]? Situations = null,
    string[]? Needs = null,
    string? Phone = null,
    IReadOnlyList<RelativeContact>? Relatives = null,
    /// <summary>Belongings taken into safekeeping.</summary>
    string? Belongings = null,
    /// <summary>Where the person was met (a station's hall, a street corner).</summary>
    string? Place = null,
    /// <summary>Anything else staff noted; sealed at rest.</summary>
    string? Notes = null) : ICaseRecord;

/// <summary>
/// 补充登记: the record completed or corrected later — everything a registration holds but where and how the case came
/// in. The whole record is sent (what is left out is cleared), on the version it was read at.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateCaseRequest(
    int? Version,
    string? PersonName,
    Sex? Sex,
    int? EstimatedAge,
    ReliefNeed? Need,
    string? Circumstances,
    string? IdNumber = null,
    DateOnly? BirthDate = null,
    string? HouseholdPlace = null,
    string? Benefits = null,
    string[]? Situations = null,
    string[]? Needs = null,
    string? Phone = null,
    IReadOnlyList<RelativeContact>? Relatives = null,
    string? Belongings = null,
    string? Place = null,
    string? Notes = null,
    /// <summary>Keep the identity document on record (the form shows it masked only); <see cref="IdNumber"/> is then ignored.</summary>
    bool? KeepIdNumber = null) : ICaseRecord;

/// <summary>The person and situation of a case, as registered or completed later.</summary>
public interface ICaseRecord
{
    string? PersonName { get; }
    Sex? Sex { get; }
    int? EstimatedAge { get; }
    ReliefNeed? Need { get; }
    string? Circumstances { get; }
    string? IdNumber { get; }
    DateOnly? BirthDate { get; }
    string? HouseholdPlace { get; }
    string? Benefits { get; }
    string[]? Situations { get; }
    string[]? Needs { get; }
    string? Phone { get; }
    IReadOnlyList<RelativeContact>? Relatives { get; }
    string? Belongings { get; }
    string? Place { get; }
    string? Notes { get; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RelativeContact(string? Name, string? Relation, string? Phone, string? Address);

/// <summary>The codes of a case's situation and needs (the portal names them in Chinese and English).</summary>
public static class CaseVocabulary
{
    public static readonly IReadOnlyList<string> Situations =
    [
        "lost_documents", "lost_phone", "no_fare", "homeless", "wandering", "ill_or_injured", "elderly_alone", "minor",
        "disabled", "mental_distress", "other",
    ];

    public static readonly IReadOnlyList<string> Needs =
        ["food", "water", "rest", "travel_home", "lodging", "medical_care", "family_search", "clothing"];

    public static readonly IReadOnlyList<string> Benefits = ["unknown", "none", "dibao", "wubao"];
}

/// <summary>Every rule answers in Chinese and English, naming the field; none echoes an identity number back.</summary>
public sealed class RegisterCaseRequestValidator : AbstractValidator<RegisterCaseRequest>
{
    public RegisterCaseRequestValidator() : this(TimeProvider.System)
    {
    }

    public RegisterCaseRequestValidator(TimeProvider clock)
    {
        Include(new CaseRecordValidator(clock));
        RuleFor(r => r.ServicePointCode).NotEmpty().WithMessage("请填写服务点 / the service point is required")
            .MaximumLength(32).WithMessage("服务点编码最长 32 个字符 / a service point code has at most 32 characters")
            .Matches("^[A-Za-z0-9-]+$").WithMessage("服务点编码只含字母、数字和短横线 / a service point code has letters, digits and dashes only");
        RuleFor(r => r.CountyCode).NotEmpty().WithMessage("请填写县（市、区） / the county is required")
            .Must(YunchengCounties.Contains).WithMessage("'{PropertyValue}' 不是运城市的县级区划代码 / is not a county code of Yuncheng (GB/T 2260)");
        RuleFor(r => r.Channel).NotNull().WithMessage("请选择求助方式 / the channel is required");
    }
}

public sealed class UpdateCaseRequestValidator : AbstractValidator<UpdateCaseRequest>
{
    public UpdateCaseRequestValidator() : this(TimeProvider.System)
    {
    }

    public UpdateCaseRequestValidator(TimeProvider clock)
    {
        Include(new CaseRecordValidator(clock));
        RuleFor(r => r.Version).NotNull().WithMessage("请带上读取时的版本 / the version the record was read at is required");
    }
}

/// <summary>The rules of a case's record, the same at registration and when it is completed later.</summary>
public sealed class CaseRecordValidator : AbstractValidator<ICaseRecord>
{
    public CaseRecordValidator(TimeProvider clock)
    {
        RuleFor(r => r.IdNumber).ResidentIdNumber(clock, required: false);
        RuleFor(r => r.Need).NotNull().WithMessage("请选择救助类别 / the need is required");
        RuleFor(r => r.PersonName).MaximumLength(50).WithMessage("姓名最长 50 个字 / a name has at most 50 characters");
        RuleFor(r => r.EstimatedAge).InclusiveBetween(0, 120).WithMessage("年龄应在 0 到 120 之间 / the age is between 0 and 120");
        RuleFor(r => r.Circumstances).MaximumLength(2000).WithMessage("情况说明最长 2000 字 / at most 2000 characters");
        RuleFor(r => r.BirthDate)
            .Must(date => date is null || date <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime) && date.Value.Year >= 1900)
            .WithMessage("出生日期不可能 / the birth date is impossible or in the future")
            .Must((request, date) => date is null || BirthDateOf(request.IdNumber) is not { } fromId || fromId == date)
            .WithMessage("出生日期与身份证号不符 / the birth date does not match the ID number");
        RuleFor(r => r.HouseholdPlace).MaximumLength(100).WithMessage("户籍地最长 100 字 / at most 100 characters");
        RuleFor(r => r.Benefits).Must(b => b is null || CaseVocabulary.Benefits.Contains(b))
            .WithMessage($"低保/五保 为 {string.Join("、", CaseVocabulary.Benefits)} 之一 / one of {string.Join(", ", CaseVocabulary.Benefits)}");
        RuleFor(r => r.Situations).Must(codes => codes is null || codes.Length <= 11 && codes.All(CaseVocabulary.Situations.Contains))
            .WithMessage($"情况为 {string.Join("、", CaseVocabulary.Situations)} 之一 / each one of {string.Join(", ", CaseVocabulary.Situations)}");
        RuleFor(r => r.Needs).Must(codes => codes is null || codes.Length <= 8 && codes.All(CaseVocabulary.Needs.Contains))
            .WithMessage($"需要为 {string.Join("、", CaseVocabulary.Needs)} 之一 / each one of {string.Join(", ", CaseVocabulary.Needs)}");
        RuleFor(r => r.Phone).Matches(PhonePattern).WithMessage("电话号码只含数字、空格、+ 和 -，最长 20 位 / digits, spaces, + and - only, at most 20");
        RuleFor(r => r.Relatives).Must(list => list is null || list.Count <= 5).WithMessage("最多 5 位亲属 / at most 5 relatives");
        RuleForEach(r => r.Relatives).ChildRules(relative =>
        {
            relative.RuleFor(c => c!.Name).MaximumLength(50).WithMessage("姓名最长 50 个字 / a name has at most 50 characters");
            relative.RuleFor(c => c!.Relation).MaximumLength(20).WithMessage("关系最长 20 个字 / at most 20 characters");
            relative.RuleFor(c => c!.Phone).Matches(PhonePattern).WithMessage("电话号码只含数字、空格、+ 和 -，最长 20 位 / digits, spaces, + and - only, at most 20");
            relative.RuleFor(c => c!.Address).MaximumLength(200).WithMessage("地址最长 200 字 / at most 200 characters");
            relative.RuleFor(c => c).Must(c => !string.IsNullOrWhiteSpace(c!.Name) || !string.IsNullOrWhiteSpace(c.Phone))
                .WithMessage("亲属至少要有姓名或电话 / a relative needs a name or a phone");
        });
        RuleFor(r => r.Belongings).MaximumLength(500).WithMessage("代管物品最长 500 字 / at most 500 characters");
        RuleFor(r => r.Place).MaximumLength(200).WithMessage("地点最长 200 字 / at most 200 characters");
        RuleFor(r => r.Notes).MaximumLength(2000).WithMessage("备注最长 2000 字 / at most 2000 characters");
    }

    private const string PhonePattern = @"^[0-9+\- ]{3,20}$";

    /// <summary>The birth date a valid ID number carries, or null.</summary>
    public static DateOnly? BirthDateOf(string? idNumber) =>
        ServiceDefaults.PersonalData.ResidentIdNumber.Normalize(idNumber) is { Length: 18 } normalized
        && DateOnly.TryParseExact(normalized.AsSpan(6, 8), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var birth) ? birth : null;
}
