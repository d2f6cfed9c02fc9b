using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Relief.Registry.Persons;

public static class PersonEndpoints
{
    public static IEndpointRouteBuilder MapPersonEndpoints(this IEndpointRouteBuilder app)
    {
        var persons = app.MapGroup("/api/persons").WithTags("Persons");
        persons.MapGet("/{id:guid}", GetPerson);
        persons.MapGet("/", FindPersonsByCase);
        return app;
    }

    private const string SelectColumns = """
        select id, first_case_id, county_code, service_point_code, sex, estimated_age, recorded_at, trace_id
        from persons
        """;

    public static async Task<Results<Ok<PersonRecord>, NotFound>> GetPerson(Guid id, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var person = await connection.QuerySingleOrDefaultAsync<PersonRecord>(
            new CommandDefinition(SelectColumns + " where id = @Id", new { Id = id }, cancellationToken: cancellationToken));
        return person is null ? TypedResults.NotFound() : TypedResults.Ok(person);
    }

    public static async Task<Ok<IReadOnlyList<PersonRecord>>> FindPersonsByCase(Guid caseId, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var persons = await connection.QueryAsync<PersonRecord>(
            new CommandDefinition(SelectColumns + " where first_case_id = @CaseId", new { CaseId = caseId }, cancellationToken: cancellationToken));
        return TypedResults.Ok<IReadOnlyList<PersonRecord>>(persons.AsList());
    }
}

public sealed record PersonRecord(Guid Id, Guid FirstCaseId, string CountyCode, string ServicePointCode, string Sex,
    short? EstimatedAge, DateTime RecordedAt, string? TraceId);
