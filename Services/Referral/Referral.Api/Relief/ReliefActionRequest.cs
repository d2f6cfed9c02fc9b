using System.Globalization;
using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace Relief.Referral.ReliefLedger;

/// <summary>
/// One entry of the relief ledger (救助台账): what was given to the person of a case. The client makes the entry's id, so
/// sending it again is the same entry. Unknown members are refused, not dropped.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReliefActionRequest(string? Kind, decimal? Amount = null, bool? ReceiptSigned = null, ReliefDetails? Details = null);

/// <summary>The particulars of a kind of relief: where a voucher is for, how many nights, who escorted whom where.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReliefDetails(
    /// <summary>乘车凭证的目的地: where the voucher takes the person (the household-registration place, usually).</summary>
    string? Destination = null,
    /// <summary>train, bus or other.</summary>
    string? Mode = null,
    int? Nights = null,
    /// <summary>护送返乡: who escorted (e.g. two of the station's staff).</summary>
    string? EscortBy = null,
    string? EscortTo = null,
    DateTimeOffset? EscortAt = null,
    /// <summary>How: by train with station staff to another province, by the station's car, …</summary>
    string? EscortHow = null,
    string? Note = null);

public static class ReliefKinds
{
    public const string TravelVoucher = "travel_voucher";
    public const string CashFare = "cash_fare";
    public const string Lodging = "lodging";
    public const string Escort = "escort";

    public static readonly IReadOnlyList<string> All =
        ["food", "water", TravelVoucher, Lodging, Escort, CashFare, "clothing", "medical", "family_contact"];

    public static readonly IReadOnlyList<string> TravelModes = ["train", "bus", "other"];
}

/// <summary>
/// The national rules' limits, in Chinese and English, naming the field: cash only as a short fare within the limit
/// (¥20) and against a signed receipt; a travel voucher within its cap and to a named place.
/// </summary>
public sealed class ReliefActionRequestValidator : AbstractValidator<ReliefActionRequest>
{
    /// <summary>numeric(10, 2): yuan and fen.</summary>
    private const decimal LargestAmount = 99_999_999.99m;

    public ReliefActionRequestValidator(IOptionsMonitor<ReferralOptions> options)
    {
        RuleFor(r => r.Kind).NotEmpty().WithMessage("请选择救助类别 / the kind of relief is required")
            .Must(kind => kind is null || ReliefKinds.All.Contains(kind))
            .WithMessage($"救助类别为 {string.Join("、", ReliefKinds.All)} 之一 / one of {string.Join(", ", ReliefKinds.All)}");

        RuleFor(r => r.Amount).NotNull().When(r => r.Kind is ReliefKinds.TravelVoucher or ReliefKinds.CashFare)
            .WithMessage("乘车凭证和现金车费须填写金额（元） / a travel voucher or a cash fare needs its amount in yuan");
        RuleFor(r => r.Amount).GreaterThan(0).When(r => r.Amount is not null)
            .WithMessage("金额须大于 0 / the amount is more than 0")
            .Must(amount => amount is null || amount == decimal.Round(amount.Value, 2))
            .WithMessage("金额精确到分 / the amount is in yuan and fen (two decimals at most)")
            .LessThanOrEqualTo(LargestAmount).WithMessage("金额过大 / the amount is too large");
        RuleFor(r => r.Amount).Must(amount => amount is null || amount <= options.CurrentValue.CashFareLimit)
            .When(r => r.Kind == ReliefKinds.CashFare)
            .WithMessage(_ => $"现金车费不得超过 ¥{Yuan(options.CurrentValue.CashFareLimit)} / a cash fare is at most ¥{Yuan(options.CurrentValue.CashFareLimit)}");
        RuleFor(r => r.ReceiptSigned).Equal(true).When(r => r.Kind == ReliefKinds.CashFare)
            .WithMessage("发放现金车费须由受助人签字领取 / a cash fare is given against a signed receipt");
        RuleFor(r => r.Amount).Must(amount => amount is null || amount <= options.CurrentValue.TravelVoucherCap)
            .When(r => r.Kind == ReliefKinds.TravelVoucher)
            .WithMessage(_ => $"乘车凭证不得超过 ¥{Yuan(options.CurrentValue.TravelVoucherCap)}，超出请安排护送 / a travel voucher is at most ¥{Yuan(options.CurrentValue.TravelVoucherCap)}: above it, arrange an escort");

        // Named as the client wrote them, whether or not details were sent at all.
        RuleFor(r => r.Details).Must(details => !string.IsNullOrWhiteSpace(details?.Destination))
            .When(r => r.Kind == ReliefKinds.TravelVoucher).OverridePropertyName("details.destination")
            .WithMessage("乘车凭证须写明目的地 / a travel voucher needs its destination");
        RuleFor(r => r.Details).Must(details => details?.Nights is >= 1 and <= 90)
            .When(r => r.Kind == ReliefKinds.Lodging).OverridePropertyName("details.nights")
            .WithMessage("住宿须填写 1 到 90 晚 / lodging needs the number of nights, 1 to 90");
        RuleFor(r => r.Details).Must(details => !string.IsNullOrWhiteSpace(details?.EscortTo))
            .When(r => r.Kind == ReliefKinds.Escort).OverridePropertyName("details.escortTo")
            .WithMessage("护送须写明送往何处 / an escort needs where the person was taken");

        RuleFor(r => r.Details).SetValidator(new ReliefDetailsValidator()!).When(r => r.Details is not null);
    }

    private static string Yuan(decimal amount) => amount.ToString("0.##", CultureInfo.InvariantCulture);
}

public sealed class ReliefDetailsValidator : AbstractValidator<ReliefDetails>
{
    public ReliefDetailsValidator()
    {
        RuleFor(d => d.Mode).Must(mode => mode is null || ReliefKinds.TravelModes.Contains(mode))
            .WithMessage("交通方式为 train、bus 或 other / the mode is train, bus or other");
        RuleFor(d => d.Destination).MaximumLength(100).WithMessage("目的地最长 100 字 / at most 100 characters");
        RuleFor(d => d.EscortBy).MaximumLength(100).WithMessage("护送人最长 100 字 / at most 100 characters");
        RuleFor(d => d.EscortTo).MaximumLength(100).WithMessage("送往地点最长 100 字 / at most 100 characters");
        RuleFor(d => d.EscortHow).MaximumLength(200).WithMessage("护送方式最长 200 字 / at most 200 characters");
        RuleFor(d => d.Note).MaximumLength(500).WithMessage("备注最长 500 字 / at most 500 characters");
    }
}

/// <summary>Why an entry is void (entered twice, given to the wrong case): the entry stays, marked void.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record VoidReliefActionRequest(string? Reason);

public sealed class VoidReliefActionRequestValidator : AbstractValidator<VoidReliefActionRequest>
{
    public VoidReliefActionRequestValidator() =>
        RuleFor(r => r.Reason).Must(reason => !string.IsNullOrWhiteSpace(reason)).WithMessage("作废须说明原因 / voiding needs a reason")
            .MaximumLength(500).WithMessage("原因最长 500 字 / at most 500 characters");
}
