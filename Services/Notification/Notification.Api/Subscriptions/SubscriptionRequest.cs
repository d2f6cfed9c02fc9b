using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.Extensions.Options;
using Relief.Notification.Delivery;
using Relief.Notification.DutyDesk;

namespace Relief.Notification.Subscriptions;

/// <summary>
/// An office subscribes its desk's items of one kind to one channel: a webhook (<see cref="Url"/> in a
/// <see cref="Format"/>, with a <see cref="Secret"/> for the signed formats) or SMS to <see cref="PhoneNumbers"/>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SubscriptionRequest(
    string? OfficeCode, string? Kind, string? Channel, string? Format = null, string? Url = null, string? Secret = null,
    IReadOnlyList<string>? PhoneNumbers = null);

public sealed partial class SubscriptionRequestValidator : AbstractValidator<SubscriptionRequest>
{
    public const int MaxPhoneNumbers = 20;

    [GeneratedRegex(@"^1[3-9]\d{9}$")]
    private static partial Regex MainlandMobile();

    public SubscriptionRequestValidator(IOptionsMonitor<NotificationOptions> options)
    {
        RuleFor(r => r.OfficeCode).Must(code => !string.IsNullOrWhiteSpace(code)).WithMessage("请选择机构 / the office is required")
            .MaximumLength(64).WithMessage("机构代码最长 64 个字符 / at most 64 characters");
        RuleFor(r => r.Kind).Must(kind => NotificationKinds.All.Contains(kind))
            .WithMessage($"事件类型为 {string.Join("、", NotificationKinds.All)} 之一 / the kind is one of {string.Join(", ", NotificationKinds.All)}");
        RuleFor(r => r.Channel).Must(channel => DeliveryChannel.All.Contains(channel))
            .WithMessage("渠道为 webhook 或 sms / the channel is webhook or sms");

        When(r => r.Channel == DeliveryChannel.Webhook, () =>
        {
            RuleFor(r => r.Format).Must(format => WebhookFormat.All.Contains(format))
                .WithMessage("格式为 generic、wecom 或 dingtalk / the format is generic, wecom or dingtalk");
            RuleFor(r => r.Url).Must(IsHttpUrl)
                .WithMessage("请填写完整的 http(s) 地址 / the URL must be an absolute http or https address")
                .MaximumLength(2000).WithMessage("地址最长 2000 个字符 / at most 2000 characters");
            RuleFor(r => r.Secret).Must(secret => !string.IsNullOrWhiteSpace(secret))
                .When(r => r.Format is WebhookFormat.Generic or WebhookFormat.DingTalk)
                .WithMessage("签名格式需要密钥 / a secret is required to sign this format");
            RuleFor(r => r.Secret).MaximumLength(500).WithMessage("密钥最长 500 个字符 / at most 500 characters");
            RuleFor(r => r.PhoneNumbers).Must(numbers => numbers is null || numbers.Count == 0)
                .WithMessage("Webhook 订阅不填手机号 / a webhook subscription has no phone numbers");
        });

        When(r => r.Channel == DeliveryChannel.Sms, () =>
        {
            RuleFor(r => r.Channel).Must(_ => options.CurrentValue.Sms.Configured)
                .WithMessage("未配置短信网关，无法订阅短信 / no SMS gateway is configured (Notification:Sms:GatewayUrl): SMS cannot be subscribed");
            RuleFor(r => r.PhoneNumbers).Must(numbers => numbers is { Count: > 0 and <= MaxPhoneNumbers })
                .WithMessage($"请填写 1 到 {MaxPhoneNumbers} 个手机号 / between 1 and {MaxPhoneNumbers} phone numbers are required");
            RuleForEach(r => r.PhoneNumbers).Must(number => number is not null && MainlandMobile().IsMatch(number))
                .WithMessage("手机号为 11 位大陆手机号码 / each phone number is an 11-digit mainland mobile number");
            RuleFor(r => r.Url).Null().WithMessage("短信订阅不填地址 / an SMS subscription has no URL");
            RuleFor(r => r.Format).Null().WithMessage("短信订阅不填格式 / an SMS subscription has no format");
            RuleFor(r => r.Secret).Null().WithMessage("短信订阅不填密钥 / an SMS subscription has no secret");
        });
    }

    private static bool IsHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && !string.IsNullOrEmpty(uri.Host);
}
