using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Registry.Persons;

public static class PersonEndpoints
{
    /// <summary>Who may read person records (each only those of their scope).</summary>
    public static readonly string[] Readers = [ReliefRoles.PointStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    private static readonly string Scope = DataScope.Predicate(new ScopeColumns(County: "county_code", ServicePoint: "service_point_code"));

    public static IEndpointRouteBuilder MapPersonEndpoints(this IEndpointRouteBuilder app)
    {
        var persons = app.MapGroup("/api/persons").WithTags("Persons")
            .RequireAuthorization(policy => policy.RequireRole(Readers));
        persons.MapGet("/{id:guid}", GetPerson);
        persons.MapGet("/", FindPersonsByCase);
        return app;
    }

    private static readonly string SelectColumns = """
        select id, first_case_id, county_code, service_point_code, sex, estimated_age, recorded_at, trace_id
        from persons
        """;

    public static async Task<Results<Ok<PersonRecord>, NotFound>> GetPerson(
        Guid id, HttpContext http, NpgsqlDataSource db, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var person = await connection.QuerySingleOrDefaultAsync<PersonRecord>(new CommandDefinition(
            $"{SelectColumns} where id = @Id and {Scope}", DataScope.Parameters(user, new { Id = id }), cancellationToken: cancellationToken));
        if (person is null)
        {
            await audit.RecordAsync(user, new AuditEntry("read_person", AuditEntry.Refused, id.ToString()), cancellationToken);
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(person);
    }

    /// <summary>The person records of a case the reader may see; none visible is 404, as for a single record.</summary>
    public static async Task<Results<Ok<IReadOnlyList<PersonRecord>>, NotFound>> FindPersonsByCase(
        Guid caseId, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var persons = (await connection.QueryAsync<PersonRecord>(new CommandDefinition(
            $"{SelectColumns} where first_case_id = @CaseId and {Scope}", DataScope.Parameters(user, new { CaseId = caseId }),
            cancellationToken: cancellationToken))).AsList();
        return persons.Count == 0 ? TypedResults.NotFound() : TypedResults.Ok<IReadOnlyList<PersonRecord>>(persons);
    }
}

public sealed record PersonRecord(Guid Id, Guid FirstCaseId, string CountyCode, string ServicePointCode, string Sex,
    short? EstimatedAge, DateTime RecordedAt, string? TraceId);
