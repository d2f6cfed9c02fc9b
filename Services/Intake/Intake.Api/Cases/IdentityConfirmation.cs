using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.Intake.Contracts;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;

namespace Relief.Intake.Cases;

/// <summary>身份确认: a step of its own after registration, recorded with its method and in the case's history.</summary>
public static class IdentityConfirmation
{
    /// <summary>Who confirms identities: those who register cases, and relief-station staff for the cases referred to them.</summary>
    public static readonly string[] Confirmers =
        [ReliefRoles.PointStaff, ReliefRoles.HotlineOperator, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    /// <summary>
    /// How an identity is confirmed. <c>relatives_confirmed</c>: the family recognised the person — a reunion through
    /// family search (寻亲, <see cref="FamilySearch.ReunionConfirmedConsumer"/>) or relatives who came to collect them.
    /// </summary>
    public static readonly IReadOnlyList<string> Methods = ["id_card_checked", "police_check", "relatives_confirmed", "self_declared", "not_established"];

    public sealed record ConfirmIdentityRequest(string? Method, string? Note);

    private const string Confirm = """
        update cases set identity_status = @Method, identity_confirmed_by = @By, identity_confirmed_at = @At
        where id = @Id
        """;

    private const string RecordHistory = """
        insert into case_history (case_id, at, by, by_name, by_office, action, detail)
        values (@Id, @At, @By, @ByName, @ByOffice, 'identity_confirmed', @Detail::jsonb)
        """;

    public static async Task<Results<Ok<IdentityConfirmedAnswer>, NotFound, ValidationProblem>> ConfirmAsync(
        Guid id, ConfirmIdentityRequest request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Method is null || !Methods.Contains(request.Method))
        {
            errors["method"] = [$"确认方式为 {string.Join("、", Methods)} 之一 / the method is one of {string.Join(", ", Methods)}"];
        }

        if (request.Note is { Length: > 500 })
        {
            errors["note"] = ["说明最长 500 字 / at most 500 characters"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var found = await connection.QuerySingleOrDefaultAsync<CaseFacts>(new CommandDefinition(
            $"select county_code, id_number_sealed is not null as has_id_number from cases where id = @id and {CaseEndpoints.Scope}",
            DataScope.Parameters(user, new { id }), cancellationToken: cancellationToken));
        if (found is null)
        {
            return TypedResults.NotFound();
        }

        if (request.Method == "id_card_checked" && !found.HasIdNumber)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["method"] = ["案件没有登记身份证号，不能选“已核验身份证” / the case has no ID number to have checked: register it first"],
            });
        }

        var unit = units.Begin();
        // The note may say how the identity was checked; it stays out of the history's plain detail.
        var confirmed = Record(unit, id, found.CountyCode, request.Method!, clock.GetUtcNow(), user.Subject, user.DisplayName, user.OfficeOrNull,
            new { method = request.Method, noted = !string.IsNullOrWhiteSpace(request.Note) });
        AuditLog.Record(unit, user, new AuditEntry("confirm_identity", AuditEntry.Succeeded, id.ToString(), request.Method));
        await unit.CommitAsync(CancellationToken.None);
        return TypedResults.Ok(new IdentityConfirmedAnswer(id, confirmed.Method, confirmed.ConfirmedAt));
    }

    /// <summary>
    /// The confirmation itself, whoever confirms: the case's identity status, its history entry and
    /// <see cref="IdentityConfirmed"/>, written into the caller's unit of work — by staff through the endpoint, and by
    /// the family-search reunion (<c>by</c> = <c>familysearch</c>).
    /// </summary>
    public static IdentityConfirmed Record(UnitOfWork unit, Guid caseId, string countyCode, string method, DateTimeOffset at,
        string by, string? byName, string? byOffice, object detail)
    {
        var confirmed = new IdentityConfirmed { CaseId = caseId, CountyCode = countyCode, Method = method, ConfirmedAt = at };
        unit.Write(Confirm, new { Id = caseId, confirmed.Method, By = by, At = at });
        unit.Write(RecordHistory, new { Id = caseId, By = by, ByName = byName, ByOffice = byOffice, At = at, Detail = JsonSerializer.Serialize(detail) });
        unit.Publish(confirmed);
        return confirmed;
    }

    private sealed class CaseFacts
    {
        public string CountyCode { get; init; } = "";
        public bool HasIdNumber { get; init; }
    }
}

public sealed record IdentityConfirmedAnswer(Guid CaseId, string Method, DateTimeOffset ConfirmedAt);

/// <summary>
/// A step in a case's history after its registration. <c>By</c> is the user's id, or <c>referral</c> for what Intake heard
/// from Referral; <c>ByName</c> and <c>ByOffice</c> are who the user was as people read it (null for Referral's steps and
/// for steps recorded before names were kept).
/// </summary>
public sealed record CaseHistoryEntry(DateTimeOffset At, string By, string Action, JsonElement Detail, string? ByName = null, string? ByOffice = null);
