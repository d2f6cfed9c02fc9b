using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;

namespace Relief.Referral.Referrals;

/// <summary>
/// 再次转介: after the station rejected a referral or it was cancelled, the case is sent to its county's station again
/// (a new referral, with its own deadlines). Never while the case has an open referral: one at a time.
/// </summary>
public static class ReReferral
{
    // As urgent as the case's last referral, or its latest classification, else normal.
    private static readonly string SelectCase = $"""
        select c.id, c.county_code, c.service_point_code,
               coalesce((select lr.priority from referrals lr where lr.case_id = c.id order by lr.sent_at desc, lr.id desc limit 1),
                        (select cl.priority from classifications cl where cl.case_id = c.id and cl.priority is not null
                         order by cl.at desc limit 1),
                        'normal') as priority,
               (select lr.classification_id from referrals lr where lr.case_id = c.id order by lr.sent_at desc, lr.id desc limit 1)
                   as classification_id,
               (select o.id from referrals o where o.case_id = c.id and o.status = any(@Open)) as open_referral_id
        from cases c where c.id = @CaseId and {CaseScope.Predicate}
        """;

    private const string OneOpenPerCase = "referrals_one_open_per_case";

    public static async Task<Results<Created<ReferralDetail>, NotFound, ProblemHttpResult>> ReferAgainAsync(
        Guid caseId, ReReferralRequest request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units, ReferralOpening opening,
        CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var @case = await connection.QuerySingleOrDefaultAsync<CaseRow>(new CommandDefinition(
            SelectCase, DataScope.Parameters(user, new { CaseId = caseId, Open = ReferralStatus.Open }), cancellationToken: cancellationToken));
        if (@case is null)
        {
            return TypedResults.NotFound();
        }

        if (@case.OpenReferralId is { } open)
        {
            return AlreadyOpen(open);
        }

        var unit = units.Begin();
        var opened = opening.Open(unit, new NewReferral(caseId, @case.CountyCode, @case.ServicePointCode,
            @case.CountyCode, @case.Priority, @case.ClassificationId, Actor.Of(user),
            Comment: string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment.Trim()));
        try
        {
            await unit.CommitAsync(CancellationToken.None);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == OneOpenPerCase)
        {
            // Someone else referred it (or a rule did) a moment ago.
            var now = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
                "select id from referrals where case_id = @CaseId and status = any(@Open)",
                new { CaseId = caseId, Open = ReferralStatus.Open }, cancellationToken: cancellationToken));
            return AlreadyOpen(now);
        }

        var detail = await ReferralReading.DetailAsync(connection, user, opened.ReferralId, cancellationToken, inScopeOnly: false);
        return TypedResults.Created($"/api/referrals/{opened.ReferralId}", detail!);
    }

    private static ProblemHttpResult AlreadyOpen(Guid? openReferralId) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "该案件已有进行中的转介 / the case already has an open referral",
        extensions: new Dictionary<string, object?> { ["openReferralId"] = openReferralId });

    private sealed record CaseRow(Guid Id, string CountyCode, string ServicePointCode, string Priority, Guid? ClassificationId, Guid? OpenReferralId);
}
