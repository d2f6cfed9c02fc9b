using Dapper;
using Npgsql;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Notification.Copies;

/// <summary>Reads the local copies a consumer addresses a desk by: a case's number and the desk of the point that registered it.</summary>
public sealed class DeskDirectory(NpgsqlDataSource db)
{
    /// <summary>
    /// The case's number (null until Intake's event arrives) and its registering point's desk: the office of that code —
    /// its kind and county from Identity's copy, else the point's county from Registry's, else the case's own (a case is
    /// registered at a point of its county), as a service point.
    /// </summary>
    private const string SelectCase = """
        select c.case_number, c.service_point_code,
               coalesce(o.kind, @ServicePoint) as office_kind,
               coalesce(o.county_code, sp.county_code, c.county_code) as office_county
        from cases c
        left join offices o on o.code = c.service_point_code
        left join service_points sp on sp.code = c.service_point_code
        where c.case_id = @CaseId
        """;

    public sealed record KnownCase(string? CaseNumber, string ServicePointCode, string OfficeKind, string OfficeCounty);

    public async Task<KnownCase?> FindCaseAsync(Guid caseId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<KnownCase>(new CommandDefinition(SelectCase,
            new { CaseId = caseId, OfficeKinds.ServicePoint }, cancellationToken: cancellationToken));
    }
}
