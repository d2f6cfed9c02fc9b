using FluentValidation;

namespace Relief.Intake.Cases;

/// <summary>Which cases were registered with this identity document (the number is matched by its keyed hash).</summary>
public sealed record FindByIdNumberRequest(string? IdNumber);

public sealed class FindByIdNumberRequestValidator : AbstractValidator<FindByIdNumberRequest>
{
    public FindByIdNumberRequestValidator(TimeProvider clock) =>
        RuleFor(r => r.IdNumber).ResidentIdNumber(clock, required: true);
}
