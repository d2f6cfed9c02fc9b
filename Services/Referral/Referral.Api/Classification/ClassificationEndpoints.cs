using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.Referral.Referrals;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Referral.Classification;

/// <summary>
/// A case's classifications with their explanations, and the rules: the one set in force, its past versions, and a
/// new version posted by the city (in force for decisions made from then on; past decisions keep theirs).
/// </summary>
public static class ClassificationEndpoints
{
    /// <summary>
    /// Who reads the rules: those who read decisions, and auditors, who check decisions against the rules that made
    /// them. Rules hold no case data.
    /// </summary>
    public static readonly string[] RuleReaders = [.. ReferralEndpoints.Readers, ReliefRoles.Auditor];

    /// <summary>
    /// Who reads a case's classifications: as for its relief and referrals (<see cref="CaseScope"/>) — after a transfer,
    /// the station that now holds the case, not the one it left.
    /// </summary>
    private static readonly string Scope = CaseScope.Predicate;

    public static IEndpointRouteBuilder MapClassificationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cases/{caseId:guid}/classification", GetClassifications).WithTags("Classification")
            .RequireAuthorization(policy => policy.RequireRole(ReferralEndpoints.Readers));

        var rules = app.MapGroup("/api/classification/rules").WithTags("Classification");
        rules.MapGet("/", GetRulesInForce).RequireAuthorization(policy => policy.RequireRole(RuleReaders));
        rules.MapGet("/versions", GetVersions).RequireAuthorization(policy => policy.RequireRole(RuleReaders));
        rules.MapGet("/{version:int}", GetRuleSet).RequireAuthorization(policy => policy.RequireRole(RuleReaders));
        rules.MapPost("/", PublishRules).RequireAuthorization(policy => policy.RequireRole(ReliefRoles.CityAdministrator));
        return app;
    }

    // A case in scope with no decision yet is one row of nulls (an empty list); a case out of scope is no row (404).
    private static readonly string SelectClassifications = $"""
        select k.id, k.rule_set_version, k.decision, k.priority, k.at, k.trigger, k.fired::text as fired,
               k.open_referral_id, k.open_referral_status, k.open_referral_effect
        from cases c left join classifications k on k.case_id = c.id
        where c.id = @CaseId and {Scope}
        order by k.at desc, k.id desc
        """;

    public static async Task<Results<Ok<IReadOnlyList<CaseClassificationRecord>>, NotFound>> GetClassifications(
        Guid caseId, HttpContext http, NpgsqlDataSource db, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<ClassificationRow>(new CommandDefinition(SelectClassifications,
            DataScope.Parameters(user, new { CaseId = caseId }), cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            await audit.RecordAsync(user, new AuditEntry("read_classification", AuditEntry.Refused, caseId.ToString()), cancellationToken);
            return TypedResults.NotFound();
        }

        return TypedResults.Ok<IReadOnlyList<CaseClassificationRecord>>([.. rows.Where(row => row.Id is not null).Select(row =>
            new CaseClassificationRecord(row.Id!.Value, row.RuleSetVersion!.Value, row.Decision!, row.Priority,
                new DateTimeOffset(DateTime.SpecifyKind(row.At!.Value, DateTimeKind.Utc)), row.Trigger!,
                JsonSerializer.Deserialize<IReadOnlyList<FiredRule>>(row.Fired!, RuleJson.Options) ?? [],
                row.OpenReferralId is { } referralId ? new ClassificationOpenReferral(referralId, row.OpenReferralStatus!, row.OpenReferralEffect!) : null))]);
    }

    public static async Task<Results<Ok<RuleSet>, NotFound>> GetRulesInForce(RuleSets ruleSets, CancellationToken cancellationToken) =>
        await ruleSets.FindAsync(null, cancellationToken) is { } inForce ? TypedResults.Ok(inForce) : TypedResults.NotFound();

    public static async Task<Results<Ok<RuleSet>, NotFound>> GetRuleSet(int version, RuleSets ruleSets, CancellationToken cancellationToken) =>
        await ruleSets.FindAsync(version, cancellationToken) is { } found ? TypedResults.Ok(found) : TypedResults.NotFound();

    public static async Task<Ok<IReadOnlyList<RuleSetVersion>>> GetVersions(RuleSets ruleSets, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ruleSets.VersionsAsync(cancellationToken));

    public static async Task<Results<Created<PublishedRules>, ValidationProblem>> PublishRules(
        PublishRulesRequest request, HttpContext http, RuleSets ruleSets, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (RuleSetValidation.Validate(request) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var version = await ruleSets.PublishAsync([.. request.Rules!.Select(rule => rule!)], request.Comment?.Trim() ?? "",
            ReliefUser.From(http.User), clock.GetUtcNow(), CancellationToken.None);
        return TypedResults.Created($"/api/classification/rules/{version}", new PublishedRules(version));
    }

    private sealed class ClassificationRow
    {
        public Guid? Id { get; init; }
        public int? RuleSetVersion { get; init; }
        public string? Decision { get; init; }
        public string? Priority { get; init; }
        public DateTime? At { get; init; }
        public string? Trigger { get; init; }
        public string? Fired { get; init; }
        public Guid? OpenReferralId { get; init; }
        public string? OpenReferralStatus { get; init; }
        public string? OpenReferralEffect { get; init; }
    }
}

/// <summary>
/// A decision on a case: the rule set's version, the rules that fired and why (words kept as they were then), and what it
/// did with the case's open referral (none when the case had none, or it agreed with the decision).
/// </summary>
public sealed record CaseClassificationRecord(
    Guid Id, int RuleSetVersion, string Decision, string? Priority, DateTimeOffset At, string Trigger, IReadOnlyList<FiredRule> Fired,
    ClassificationOpenReferral? OpenReferral = null);

/// <summary>
/// The case's open referral as a decision found it: its status then, and the <see cref="OpenReferralEffect"/> — withdrawn,
/// priority_raised, or differs (left to the station, or to staff, who decide).
/// </summary>
public sealed record ClassificationOpenReferral(Guid ReferralId, string Status, string Effect);

public sealed record PublishedRules(int Version);
