using System.Text.Json.Serialization;
using FluentValidation;
using Relief.ServiceDefaults;

namespace Relief.Referral.Referrals;

/// <summary>
/// What every lifecycle action carries: the version of the referral the user saw (a change made since then is a 409),
/// and a comment for the history. Unknown members are refused, not dropped: a misspelt outcome flag must not vanish.
/// </summary>
public interface IReferralActionRequest
{
    int? Version { get; }
    string? Comment { get; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AcceptReferralRequest(int? Version, string? Comment = null) : IReferralActionRequest;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record StartReferralRequest(int? Version, string? Comment = null) : IReferralActionRequest;

/// <summary>A rejection with a coded reason (<see cref="ReferralLifecycle.RejectReasons"/>): the sender is told.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RejectReferralRequest(int? Version, string? Reason, string? Comment = null) : IReferralActionRequest;

/// <summary>
/// How the person left relief (<see cref="ReferralLifecycle.Outcomes"/>), with what the national rules ask for: the
/// collector's identity checked when relatives collect them, a signed statement when they leave of their own accord.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CompleteReferralRequest(
    int? Version, string? Outcome, bool? CollectorIdChecked = null, bool? SignedStatement = null, string? Comment = null)
    : IReferralActionRequest;

/// <summary>Cancelling and reopening are exceptions to the flow: each needs a comment for the audit trail.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CancelReferralRequest(int? Version, string? Comment) : IReferralActionRequest;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReopenReferralRequest(int? Version, string? Comment) : IReferralActionRequest;

/// <summary>Hands the referral on to another county's relief station (GB/T 2260 county code).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TransferReferralRequest(int? Version, string? ToCounty, string? Comment = null) : IReferralActionRequest;

/// <summary>A re-referral of a case to its county's station, after a rejection or a cancellation.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReReferralRequest(string? Comment = null);

/// <summary>The rules every action shares, in Chinese and English, naming the field.</summary>
public sealed class ReferralActionRequestValidator : AbstractValidator<IReferralActionRequest>
{
    public const int CommentLength = 500;

    public ReferralActionRequestValidator()
    {
        RuleFor(r => r.Version).NotNull().WithMessage("请带上读取时的版本 / the version the referral was read at is required")
            .GreaterThan(0).WithMessage("版本从 1 开始 / a version is 1 or more");
        RuleFor(r => r.Comment).MaximumLength(CommentLength)
            .WithMessage($"说明最长 {CommentLength} 字 / a comment has at most {CommentLength} characters");
    }
}

public sealed class AcceptReferralRequestValidator : AbstractValidator<AcceptReferralRequest>
{
    public AcceptReferralRequestValidator() => Include(new ReferralActionRequestValidator());
}

public sealed class StartReferralRequestValidator : AbstractValidator<StartReferralRequest>
{
    public StartReferralRequestValidator() => Include(new ReferralActionRequestValidator());
}

public sealed class RejectReferralRequestValidator : AbstractValidator<RejectReferralRequest>
{
    public RejectReferralRequestValidator()
    {
        Include(new ReferralActionRequestValidator());
        RuleFor(r => r.Reason).NotEmpty().WithMessage("请选择拒收原因 / the reason is required")
            .Must(reason => reason is null || ReferralLifecycle.RejectReasons.Contains(reason))
            .WithMessage($"拒收原因为 {string.Join("、", ReferralLifecycle.RejectReasons)} 之一 / one of {string.Join(", ", ReferralLifecycle.RejectReasons)}");
        // "other" says nothing by itself: the sender must be told why.
        RuleFor(r => r.Comment).Must(comment => !string.IsNullOrWhiteSpace(comment)).When(r => r.Reason == "other")
            .WithMessage("原因为“其他”时请说明 / say why when the reason is other");
    }
}

public sealed class CompleteReferralRequestValidator : AbstractValidator<CompleteReferralRequest>
{
    public CompleteReferralRequestValidator()
    {
        Include(new ReferralActionRequestValidator());
        RuleFor(r => r.Outcome).NotEmpty().WithMessage("请选择离站方式 / the outcome is required")
            .Must(outcome => outcome is null || ReferralLifecycle.Outcomes.Contains(outcome))
            .WithMessage($"离站方式为 {string.Join("、", ReferralLifecycle.Outcomes)} 之一 / one of {string.Join(", ", ReferralLifecycle.Outcomes)}");
        RuleFor(r => r.CollectorIdChecked).Equal(true).When(r => r.Outcome == "collected_by_relatives")
            .WithMessage("亲属接领须查验接领人身份证件 / collection by relatives needs the collector's identity checked");
        RuleFor(r => r.SignedStatement).Equal(true).When(r => r.Outcome == "left_of_own_accord")
            .WithMessage("自行离站须有本人签字的书面声明 / leaving of one's own accord needs a signed statement");
    }
}

public sealed class CancelReferralRequestValidator : AbstractValidator<CancelReferralRequest>
{
    public CancelReferralRequestValidator()
    {
        Include(new ReferralActionRequestValidator());
        RuleFor(r => r.Comment).Must(comment => !string.IsNullOrWhiteSpace(comment))
            .WithMessage("撤销转介须说明原因（记入审计） / cancelling needs a comment (it is audited)");
    }
}

public sealed class ReopenReferralRequestValidator : AbstractValidator<ReopenReferralRequest>
{
    public ReopenReferralRequestValidator()
    {
        Include(new ReferralActionRequestValidator());
        RuleFor(r => r.Comment).Must(comment => !string.IsNullOrWhiteSpace(comment))
            .WithMessage("重新打开须说明原因（记入审计） / reopening needs a comment (it is audited)");
    }
}

public sealed class TransferReferralRequestValidator : AbstractValidator<TransferReferralRequest>
{
    public TransferReferralRequestValidator()
    {
        Include(new ReferralActionRequestValidator());
        RuleFor(r => r.ToCounty).NotEmpty().WithMessage("请选择转往的县（市、区） / the county to transfer to is required")
            .Must(code => code is null || YunchengCounties.Contains(code))
            .WithMessage("'{PropertyValue}' 不是运城市的县级区划代码 / is not a county code of Yuncheng (GB/T 2260)");
    }
}

public sealed class ReReferralRequestValidator : AbstractValidator<ReReferralRequest>
{
    public ReReferralRequestValidator() =>
        RuleFor(r => r.Comment).MaximumLength(ReferralActionRequestValidator.CommentLength)
            .WithMessage($"说明最长 {ReferralActionRequestValidator.CommentLength} 字 / a comment has at most {ReferralActionRequestValidator.CommentLength} characters");
}
