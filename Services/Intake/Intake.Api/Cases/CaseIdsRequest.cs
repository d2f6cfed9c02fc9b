using FluentValidation;
using Relief.ServiceDefaults.Http;

namespace Relief.Intake.Cases;

/// <summary>
/// The cases another service asks about in one call (its consumers' lookups gathered by a <see cref="BatchedLookup{TKey,TValue}"/>).
/// The answer lists the cases Intake has and that are not anonymised; the others are left out.
/// </summary>
public sealed record CaseIdsRequest(Guid[]? Ids);

public sealed class CaseIdsRequestValidator : AbstractValidator<CaseIdsRequest>
{
    public CaseIdsRequestValidator() =>
        RuleFor(r => r.Ids).NotEmpty().WithMessage("请列出案件 / the case ids are required")
            .Must(ids => ids is null || ids.Length <= BatchedLookup.MaxBatch)
            .WithMessage($"一次最多 {BatchedLookup.MaxBatch} 个案件 / at most {BatchedLookup.MaxBatch} cases at a time");
}
