using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.Intake.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Http;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Intake.Cases;

public static class CaseEndpoints
{
    public static IEndpointRouteBuilder MapCaseEndpoints(this IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/api/cases").WithTags("Cases");
        cases.MapPost("/", RegisterCase).Validate<RegisterCaseRequest>();
        cases.MapGet("/{id:guid}", GetCase);
        return app;
    }

    private const string InsertCase = """
        insert into cases (id, county_code, service_point_code, channel, person_name, sex, estimated_age,
                           need, circumstances, registered_by, registered_at, trace_id)
        values (@Id, @CountyCode, @ServicePointCode, @Channel, @PersonName, @Sex, @EstimatedAge,
                @Need, @Circumstances, @RegisteredBy, @RegisteredAt, @TraceId)
        """;

    /// <summary>Saves the case and its <see cref="CaseRegistered"/> event in one transaction.</summary>
    public static async Task<Created<RegisteredCase>> RegisterCase(
        RegisterCaseRequest request, ClaimsPrincipal user, UnitOfWorkFactory units, TimeProvider clock, CancellationToken cancellationToken)
    {
        var registered = new CaseRegistered
        {
            CaseId = Guid.CreateVersion7(),
            CountyCode = request.CountyCode!,
            ServicePointCode = request.ServicePointCode!,
            Channel = request.Channel!.Value,
            Sex = request.Sex ?? Sex.Unknown,
            EstimatedAge = request.EstimatedAge,
            Need = request.Need!.Value,
            RegisteredAt = clock.GetUtcNow(),
        };
        var traceId = ReliefTelemetry.CurrentTraceId;

        await using var unit = await units.BeginAsync(cancellationToken);
        await unit.Connection.ExecuteAsync(new CommandDefinition(InsertCase, new
        {
            Id = registered.CaseId,
            registered.CountyCode,
            registered.ServicePointCode,
            Channel = registered.Channel.ToString(),
            PersonName = string.IsNullOrWhiteSpace(request.PersonName) ? null : request.PersonName.Trim(),
            Sex = registered.Sex.ToString(),
            registered.EstimatedAge,
            Need = registered.Need.ToString(),
            request.Circumstances,
            RegisteredBy = user.Identity?.Name ?? "unknown",
            registered.RegisteredAt,
            TraceId = traceId,
        }, unit.Transaction, cancellationToken: cancellationToken));
        await unit.PublishAsync(registered, cancellationToken);
        await unit.CommitAsync(cancellationToken);

        return TypedResults.Created($"/api/cases/{registered.CaseId}",
            new RegisteredCase(registered.CaseId, registered.RegisteredAt, traceId));
    }

    private const string SelectCase = """
        select id, county_code, service_point_code, channel, person_name, sex, estimated_age, need,
               registered_at, trace_id
        from cases where id = @Id
        """;

    public static async Task<Results<Ok<CaseSummary>, NotFound>> GetCase(Guid id, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<CaseRow>(new CommandDefinition(SelectCase, new { Id = id }, cancellationToken: cancellationToken));
        return row is null ? TypedResults.NotFound() : TypedResults.Ok(row.ToSummary());
    }

    private sealed record CaseRow(Guid Id, string CountyCode, string ServicePointCode, string Channel, string? PersonName,
        string Sex, short? EstimatedAge, string Need, DateTime RegisteredAt, string? TraceId)
    {
        public CaseSummary ToSummary() => new(Id, CountyCode, ServicePointCode, Enum.Parse<IntakeChannel>(Channel),
            PersonNameMask.Mask(PersonName), Enum.Parse<Sex>(Sex), EstimatedAge, Enum.Parse<ReliefNeed>(Need),
            new DateTimeOffset(RegisteredAt, TimeSpan.Zero), TraceId);
    }
}

public sealed record RegisteredCase(Guid Id, DateTimeOffset RegisteredAt, string? TraceId);

/// <summary>A case as listed to staff: the name masked, as every display of personal data is.</summary>
public sealed record CaseSummary(Guid Id, string CountyCode, string ServicePointCode, IntakeChannel Channel,
    string? PersonName, Sex Sex, int? EstimatedAge, ReliefNeed Need, DateTimeOffset RegisteredAt, string? TraceId);
