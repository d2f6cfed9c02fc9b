using FluentValidation;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.Intake.Cases;

public static class IdNumberRules
{
    /// <summary>A valid resident ID number (GB 11643); the message says what is wrong and never echoes the number.</summary>
    public static IRuleBuilderOptionsConditions<T, string?> ResidentIdNumber<T>(this IRuleBuilder<T, string?> rule, TimeProvider clock, bool required) =>
        rule.Custom((value, context) =>
        {
            var idNumber = ServiceDefaults.PersonalData.ResidentIdNumber.Normalize(value);
            var problem = idNumber is null
                ? required ? "请填写身份证号 / An identity document number is required." : null
                : ServiceDefaults.PersonalData.ResidentIdNumber.Problem(idNumber, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
            if (problem is not null)
            {
                context.AddFailure(context.PropertyPath, problem);
            }
        });
}
