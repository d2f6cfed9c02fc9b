using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.Intake.Contracts;
using Relief.Intake.Referrals;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.Referral.Contracts;

namespace Relief.Intake.Cases;

/// <summary>
/// 结案 at the point: a case helped where it was registered (food, a travel voucher) and never referred has no referral
/// to complete, and would otherwise stay open — its personal data kept for ever, since retention counts from the close.
/// The point closes it with a coded outcome. A case with an open referral is closed by that referral's completion
/// (<see cref="ReferralState"/>), never here; a referral opened later opens the case again.
/// </summary>
public static class CaseClosing
{
    /// <summary>Who closes cases at the point: those who register them (each within their scope).</summary>
    public static readonly string[] Closers = CaseEndpoints.Registrars;

    /// <summary>How a case helped at the point ended, in the terms of the national rules for leaving relief.</summary>
    public static readonly IReadOnlyList<string> Outcomes =
        ["relief_given", "returned_home", "collected_by_relatives", "left_of_own_accord", "hospitalised", "handed_to_police"];

    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record CloseCaseRequest(string? Outcome, bool? CollectorIdChecked, bool? SignedStatement);

    private const string OpenReferral = $"""
        select r.referral_id, r.status from case_referrals r
        where r.case_id = @id and r.status in ('{ReferralStatus.Requested}', '{ReferralStatus.Accepted}', '{ReferralStatus.InProgress}')
        limit 1
        """;

    // The same turn as the referral events of the case take (ReferralState): a referral that arrived a moment ago is seen.
    private const string LockCase = "select 1 from cases where id = @Id for update";

    private const string Close = $"""
        update cases set closed_at = @At, closed_by = @By, closing_outcome = @Outcome
        where id = @Id and closed_at is null
          and not exists (select 1 from case_referrals r where r.case_id = @Id
                          and r.status in ('{ReferralStatus.Requested}', '{ReferralStatus.Accepted}', '{ReferralStatus.InProgress}'))
        """;

    private const string RecordHistory = """
        insert into case_history (case_id, at, by, by_name, by_office, action, detail)
        values (@Id, @At, @By, @ByName, @ByOffice, 'case_closed', @Detail::jsonb)
        """;

    public static async Task<Results<Ok<ClosedCase>, NotFound, ValidationProblem, ProblemHttpResult>> CloseAsync(
        Guid id, CloseCaseRequest request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Outcome is null || !Outcomes.Contains(request.Outcome))
        {
            errors["outcome"] = [$"结案结果为 {string.Join("、", Outcomes)} 之一 / the outcome is one of {string.Join(", ", Outcomes)}"];
        }
        else if (request.Outcome == "collected_by_relatives" && request.CollectorIdChecked != true)
        {
            errors["collectorIdChecked"] = ["亲属领回须核验领回人身份证件 / the collector's identity document must have been checked"];
        }
        else if (request.Outcome == "left_of_own_accord" && request.SignedStatement != true)
        {
            errors["signedStatement"] = ["自行离开须本人签署书面声明 / leaving of one's own accord needs the person's signed statement"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var found = await connection.QuerySingleOrDefaultAsync<CaseState>(new CommandDefinition(
            $"select closed_at, county_code from cases where id = @id and {CaseEndpoints.Scope}",
            DataScope.Parameters(user, new { id }), cancellationToken: cancellationToken));
        if (found is null)
        {
            return TypedResults.NotFound();
        }

        if (await RefusalAsync(connection, id, found, cancellationToken) is { } refusal)
        {
            return refusal;
        }

        // To the microsecond PostgreSQL keeps, so the answer and the case page say the same time.
        var now = clock.GetUtcNow();
        var closed = new ClosedCase(id, now.AddTicks(-(now.Ticks % 10)), request.Outcome!, user.Subject);
        var unit = units.Begin();
        var parameters = new { Id = id, At = closed.ClosedAt, By = user.Subject, ByName = user.DisplayName, ByOffice = user.OfficeOrNull,
            Outcome = closed.ClosingOutcome,
            Detail = JsonSerializer.Serialize(new
            {
                outcome = closed.ClosingOutcome,
                collectorIdChecked = request.CollectorIdChecked == true,
                signedStatement = request.SignedStatement == true,
            }) };
        unit.Write(LockCase, parameters);
        unit.WriteOne(Close, parameters);
        unit.Write(RecordHistory, parameters);
        AuditLog.Record(unit, user, new AuditEntry("close_case", AuditEntry.Succeeded, id.ToString(), closed.ClosingOutcome));
        // For the statistics' outcomes: a case closed at the point has no referral whose completion would say how it ended.
        unit.Publish(new CaseClosed { CaseId = id, CountyCode = found.CountyCode, Outcome = closed.ClosingOutcome, ClosedAt = closed.ClosedAt });
        try
        {
            await unit.CommitAsync(CancellationToken.None);
        }
        catch (StaleVersionException)
        {
            // Closed by someone else, or a referral arrived, between the reading and the closing: say which.
            var current = await connection.QuerySingleAsync<CaseState>(new CommandDefinition(
                "select closed_at from cases where id = @id", new { id }, cancellationToken: cancellationToken));
            return await RefusalAsync(connection, id, current, cancellationToken)
                ?? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "案件刚被修改，请重新打开 / the case changed meanwhile: read it again");
        }

        return TypedResults.Ok(closed);
    }

    private static async Task<ProblemHttpResult?> RefusalAsync(NpgsqlConnection connection, Guid id, CaseState state, CancellationToken cancellationToken)
    {
        if (state.ClosedAt is { } closedAt)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "案件已结案 / the case is closed already",
                extensions: new Dictionary<string, object?> { ["closedAt"] = new DateTimeOffset(DateTime.SpecifyKind(closedAt, DateTimeKind.Utc)) });
        }

        var open = await connection.QuerySingleOrDefaultAsync<OpenReferralRow>(new CommandDefinition(
            OpenReferral, new { id }, cancellationToken: cancellationToken));
        return open is null ? null : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
            title: "案件有未结束的转介，由转介办结后自动结案 / the case has an open referral: its completion closes the case",
            extensions: new Dictionary<string, object?> { ["referralId"] = open.ReferralId, ["referralStatus"] = open.Status });
    }

    private sealed class CaseState
    {
        public DateTime? ClosedAt { get; init; }
        public string CountyCode { get; init; } = "";
    }

    private sealed class OpenReferralRow
    {
        public Guid ReferralId { get; init; }
        public string Status { get; init; } = "";
    }
}

/// <summary>The case closed at the point: when, with which outcome, by whom (the user's id).</summary>
public sealed record ClosedCase(Guid CaseId, DateTimeOffset ClosedAt, string ClosingOutcome, string ClosedBy);
