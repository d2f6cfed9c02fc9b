using System.Text.Json.Serialization;
using FluentValidation;

namespace Relief.FamilySearch.Notices;

/// <summary>The details as a client writes them (each optional while drafting).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record NoticeDetailsInput(
    string? Name = null, string? Health = null, string? MentalState = null, string? Features = null, string? Clothing = null,
    string? FoundPlace = null, string? Contact = null);

/// <summary>
/// A draft (or a notice in review) as staff complete it, on the version they read. Unknown members are refused, not
/// dropped: a misspelt field must not vanish.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateNoticeRequest(
    int? Version, string? Sex = null, int? AgeLow = null, int? AgeHigh = null, int? HeightCm = null, string? Build = null,
    string? Ethnicity = null, string? Accent = null, DateOnly? FoundOn = null, string? FoundCounty = null,
    NoticeDetailsInput? Details = null) : INoticeChangeRequest;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record NoticeVersionRequest(int? Version) : INoticeChangeRequest;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReturnNoticeRequest(int? Version, string? Comment) : INoticeChangeRequest;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record WithdrawNoticeRequest(int? Version, string? Reason, string? Comment = null) : INoticeChangeRequest;

public static class NoticeVocabulary
{
    public static readonly string[] Sexes = ["male", "female", "unknown"];
    public static readonly string[] Builds = ["slim", "medium", "heavy"];
    public static readonly string[] WithdrawReasons = ["identified", "reunited", "left", "other"];
    public const int CommentLength = 500;
}

/// <summary>Every change carries the version of the notice the user saw: a change made since then is a 409.</summary>
public interface INoticeChangeRequest
{
    int? Version { get; }
}

public sealed class NoticeChangeRequestValidator : AbstractValidator<INoticeChangeRequest>
{
    public NoticeChangeRequestValidator() =>
        RuleFor(r => r.Version).NotNull().WithMessage("请带上读取时的版本 / the version the notice was read at is required")
            .GreaterThan(0).WithMessage("版本从 1 开始 / a version is 1 or more");
}

public sealed class UpdateNoticeRequestValidator : AbstractValidator<UpdateNoticeRequest>
{
    public UpdateNoticeRequestValidator()
    {
        Include(new NoticeChangeRequestValidator());
        RuleFor(r => r.Sex).Must(sex => sex is null || NoticeVocabulary.Sexes.Contains(sex))
            .WithMessage("性别为 male、female 或 unknown / one of male, female, unknown");
        RuleFor(r => r.AgeLow).InclusiveBetween(0, 120).WithMessage("年龄 0 至 120 岁 / an age from 0 to 120");
        RuleFor(r => r.AgeHigh).InclusiveBetween(0, 120).WithMessage("年龄 0 至 120 岁 / an age from 0 to 120")
            .GreaterThanOrEqualTo(r => r.AgeLow ?? 0).When(r => r.AgeLow is not null)
            .WithMessage("年龄上限不小于下限 / the upper age is not below the lower");
        RuleFor(r => r.HeightCm).InclusiveBetween(40, 250).WithMessage("身高 40 至 250 厘米 / a height from 40 to 250 cm");
        RuleFor(r => r.Build).Must(build => build is null || NoticeVocabulary.Builds.Contains(build))
            .WithMessage("体态为 slim、medium 或 heavy / one of slim, medium, heavy");
        RuleFor(r => r.Ethnicity).MaximumLength(20).WithMessage("民族最长 20 字 / at most 20 characters");
        RuleFor(r => r.Accent).MaximumLength(50).WithMessage("口音最长 50 字 / at most 50 characters");
        RuleFor(r => r.FoundCounty).Matches("^[0-9]{6}$").WithMessage("发现地区为 6 位行政区划代码 / a 6-digit GB/T 2260 code");
        RuleFor(r => r.FoundOn).Must(day => day is null || day.Value.Year >= 1950)
            .WithMessage("发现日期不早于 1950 年 / a date from 1950 on");
        When(r => r.Details is not null, () =>
        {
            RuleFor(r => r.Details!.Name).MaximumLength(50).WithMessage("姓名最长 50 字 / at most 50 characters");
            RuleFor(r => r.Details!.Health).MaximumLength(500).WithMessage("健康状况最长 500 字 / at most 500 characters");
            RuleFor(r => r.Details!.MentalState).MaximumLength(500).WithMessage("智力精神状况最长 500 字 / at most 500 characters");
            RuleFor(r => r.Details!.Features).MaximumLength(1000).WithMessage("体貌特征最长 1000 字 / at most 1000 characters");
            RuleFor(r => r.Details!.Clothing).MaximumLength(1000).WithMessage("衣着最长 1000 字 / at most 1000 characters");
            RuleFor(r => r.Details!.FoundPlace).MaximumLength(200).WithMessage("发现地点最长 200 字 / at most 200 characters");
            RuleFor(r => r.Details!.Contact).MaximumLength(200).WithMessage("联系方式最长 200 字 / at most 200 characters");
        });
    }
}

public sealed class NoticeVersionRequestValidator : AbstractValidator<NoticeVersionRequest>
{
    public NoticeVersionRequestValidator() => Include(new NoticeChangeRequestValidator());
}

public sealed class ReturnNoticeRequestValidator : AbstractValidator<ReturnNoticeRequest>
{
    public ReturnNoticeRequestValidator()
    {
        Include(new NoticeChangeRequestValidator());
        RuleFor(r => r.Comment).NotEmpty().WithMessage("请说明退回原因 / say why it goes back")
            .MaximumLength(NoticeVocabulary.CommentLength).WithMessage($"说明最长 {NoticeVocabulary.CommentLength} 字 / at most {NoticeVocabulary.CommentLength} characters");
    }
}

public sealed class WithdrawNoticeRequestValidator : AbstractValidator<WithdrawNoticeRequest>
{
    public WithdrawNoticeRequestValidator()
    {
        Include(new NoticeChangeRequestValidator());
        RuleFor(r => r.Reason).Must(reason => reason is not null && NoticeVocabulary.WithdrawReasons.Contains(reason))
            .WithMessage("撤回原因为 identified、reunited、left 或 other / one of identified, reunited, left, other");
        RuleFor(r => r.Comment).MaximumLength(NoticeVocabulary.CommentLength)
            .WithMessage($"说明最长 {NoticeVocabulary.CommentLength} 字 / at most {NoticeVocabulary.CommentLength} characters");
        RuleFor(r => r.Comment).NotEmpty().When(r => r.Reason == "other").WithMessage("原因为其他时请说明 / say why when the reason is other");
    }
}
