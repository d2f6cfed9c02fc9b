using System.Text.Json.Serialization;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Relief.FamilySearch.Deadlines;
using Relief.FamilySearch.Notices;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Http;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.FamilySearch.Police;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreatePoliceRequest(string? Kind, string? PoliceUnit, string? Reference = null);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PoliceResultRequest(string? Result, string? Note = null);

public sealed record PoliceRequestView(
    Guid Id, Guid CaseId, string CaseNumber, string StationCounty, string CountyCode, string Kind, string PoliceUnit, string? Reference,
    string Status, DateTimeOffset RequestedAt, string? RequestedByName, DateTimeOffset DueAt, int OverdueLevel, string? Result,
    string? Note, DateTimeOffset? AnsweredAt, string? AnsweredByName);

public sealed record PoliceRequestList(IReadOnlyList<PoliceRequestView> Items);

public sealed class CreatePoliceRequestValidator : AbstractValidator<CreatePoliceRequest>
{
    public CreatePoliceRequestValidator()
    {
        RuleFor(r => r.Kind).Must(kind => kind is not null && PoliceRequestKinds.All.Contains(kind))
            .WithMessage("类型为 identity_check、dna_sample 或 trafficking_report / one of identity_check, dna_sample, trafficking_report");
        RuleFor(r => r.PoliceUnit).NotEmpty().WithMessage("请填写公安机关 / the police unit is required")
            .MaximumLength(100).WithMessage("公安机关最长 100 字 / at most 100 characters");
        RuleFor(r => r.Reference).MaximumLength(100).WithMessage("文书编号最长 100 字 / at most 100 characters");
    }
}

public sealed class PoliceResultRequestValidator : AbstractValidator<PoliceResultRequest>
{
    public static readonly string[] Results = ["identified", "not_identified", "sample_taken", "no_record", "other"];

    public PoliceResultRequestValidator()
    {
        RuleFor(r => r.Result).Must(result => result is not null && Results.Contains(result))
            .WithMessage($"结果为 {string.Join("、", Results)} 之一 / one of {string.Join(", ", Results)}");
        RuleFor(r => r.Note).MaximumLength(1000).WithMessage("说明最长 1000 字 / at most 1000 characters");
    }
}

/// <summary>
/// What a station asks of the police (identity check, DNA sample, a report of a suspected lost, abandoned or trafficked
/// person), each with a deadline by its kind (<see cref="DeadlineOptions.PoliceDueWithin"/>); the answer ends it. A
/// request is the station's that works the case's notice, or — no notice yet — the county's where the case was registered.
/// </summary>
public static class PoliceRequests
{
    public static IEndpointRouteBuilder MapPoliceRequestEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/family-search").WithTags("Police requests");
        group.MapPost("/cases/{caseId:guid}/police-requests", CreateAsync).Validate<CreatePoliceRequest>()
            .RequireAuthorization(policy => policy.RequireRole(NoticeScope.Workers));
        group.MapPost("/police-requests/{id:guid}/result", AnswerAsync).Validate<PoliceResultRequest>()
            .RequireAuthorization(policy => policy.RequireRole(NoticeScope.Workers));
        group.MapGet("/police-requests", ListAsync).RequireAuthorization(policy => policy.RequireRole(NoticeScope.Readers));
        return app;
    }

    // The case as the copy has it, with the station of its newest notice; in scope as a request of it would be.
    private static readonly string SelectCase = $"""
        select c.case_id, c.case_number, c.county_code,
               coalesce((select n.station_county from notices n where n.case_id = c.case_id order by n.drafted_at desc limit 1),
                        c.county_code) as station_county
        from cases c where c.case_id = @CaseId
        """;

    private static readonly string InScope = NoticeScope.Predicate("x");

    private const string Insert = """
        insert into police_requests (id, case_id, case_number, county_code, station_county, kind, police_unit, reference, status,
                                     due_at, requested_at, requested_by, requested_by_name)
        values (@Id, @CaseId, @CaseNumber, @CountyCode, @StationCounty, @Kind, @PoliceUnit, @Reference, 'open',
                @DueAt, @Now, @By, @ByName)
        """;

    private const string Answer = """
        update police_requests set status = 'answered', result = @Result, note_key_id = @NoteKeyId, note_sealed = @NoteSealed,
               answered_at = @Now, answered_by = @By, answered_by_name = @ByName
        where id = @Id and status = 'open'
        """;

    private static readonly string SelectRequests = $"""
        select r.* from police_requests r
        where {NoticeScope.Predicate("r")}
          and (@Id::uuid is null or r.id = @Id)
          and (@Status::text is null or r.status = @Status)
          and (@CaseId::uuid is null or r.case_id = @CaseId)
        order by r.status = 'answered', r.due_at, r.id
        limit 500
        """;

    public static async Task<Results<Created<PoliceRequestView>, NotFound>> CreateAsync(
        Guid caseId, CreatePoliceRequest request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units,
        PersonalDataProtector protector, IOptionsMonitor<DeadlineOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        CaseRow? found;
        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            found = await connection.QuerySingleOrDefaultAsync<CaseRow>(new CommandDefinition(
                $"select * from ({SelectCase}) x where {InScope}", DataScope.Parameters(user, new { CaseId = caseId }),
                cancellationToken: cancellationToken));
        }

        if (found is null)
        {
            return TypedResults.NotFound();
        }

        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7();
        var dueAt = now + options.CurrentValue.PoliceDueWithin[request.Kind!];
        var unit = units.Begin();
        unit.Write(Insert, new
        {
            Id = id, found.CaseId, found.CaseNumber, found.CountyCode, found.StationCounty, request.Kind, PoliceUnit = request.PoliceUnit!.Trim(),
            Reference = string.IsNullOrWhiteSpace(request.Reference) ? null : request.Reference.Trim(), DueAt = dueAt, Now = now,
            By = user.Subject, ByName = user.DisplayName,
        });
        FamilySearchDeadlines.Arm(unit, FamilySearchDeadlines.PoliceRequest, id, dueAt);
        AuditLog.Record(unit, user, new AuditEntry("request_police", AuditEntry.Succeeded, id.ToString(), request.Kind));
        await unit.CommitAsync(CancellationToken.None);
        var view = (await ReadAsync(db, protector, user, id, null, null, cancellationToken)).Single();
        return TypedResults.Created($"/api/family-search/police-requests?caseId={caseId}", view);
    }

    public static async Task<Results<Ok<PoliceRequestView>, NotFound, ProblemHttpResult>> AnswerAsync(
        Guid id, PoliceResultRequest request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units,
        PersonalDataProtector protector, TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        var current = (await ReadAsync(db, protector, user, id, null, null, cancellationToken)).SingleOrDefault();
        if (current is null)
        {
            return TypedResults.NotFound();
        }

        var now = clock.GetUtcNow();
        var note = string.IsNullOrWhiteSpace(request.Note) ? null : protector.Seal(request.Note.Trim(), id);
        var unit = units.Begin();
        unit.WriteOne(Answer, new
        {
            Id = id, request.Result, NoteKeyId = note?.KeyId, NoteSealed = note?.Ciphertext, Now = now, By = user.Subject, ByName = user.DisplayName,
        });
        FamilySearchDeadlines.Cancel(unit, FamilySearchDeadlines.PoliceRequest, id, now);
        AuditLog.Record(unit, user, new AuditEntry("answer_police_request", AuditEntry.Succeeded, id.ToString(), request.Result));
        try
        {
            await unit.CommitAsync(CancellationToken.None);
        }
        catch (StaleVersionException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "该请求已有答复 / the request has been answered already");
        }

        return TypedResults.Ok((await ReadAsync(db, protector, user, id, null, null, cancellationToken)).Single());
    }

    public static async Task<Results<Ok<PoliceRequestList>, ValidationProblem>> ListAsync(
        string? status, Guid? caseId, HttpContext http, NpgsqlDataSource db, PersonalDataProtector protector, CancellationToken cancellationToken)
    {
        if (status is not null and not ("open" or "answered"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["状态为 open 或 answered / open or answered"] });
        }

        return TypedResults.Ok(new PoliceRequestList(await ReadAsync(db, protector, ReliefUser.From(http.User), null, status, caseId, cancellationToken)));
    }

    private static async Task<List<PoliceRequestView>> ReadAsync(NpgsqlDataSource db, PersonalDataProtector protector, ReliefUser user,
        Guid? id, string? status, Guid? caseId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<RequestRow>(new CommandDefinition(SelectRequests,
            DataScope.Parameters(user, new { Id = id, Status = status, CaseId = caseId }), cancellationToken: cancellationToken));
        return rows.Select(row => new PoliceRequestView(row.Id, row.CaseId, row.CaseNumber, row.StationCounty, row.CountyCode, row.Kind,
            row.PoliceUnit, row.Reference, row.Status, NoticeReading.Utc(row.RequestedAt), row.RequestedByName, NoticeReading.Utc(row.DueAt),
            row.OverdueLevel, row.Result,
            row.NoteSealed is null ? null : protector.Open(new SealedValue(row.NoteKeyId!, row.NoteSealed), row.Id),
            NoticeReading.Utc(row.AnsweredAt), row.AnsweredByName)).ToList();
    }

    private sealed class CaseRow
    {
        public Guid CaseId { get; init; }
        public string CaseNumber { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public string StationCounty { get; init; } = "";
    }

    private sealed class RequestRow
    {
        public Guid Id { get; init; }
        public Guid CaseId { get; init; }
        public string CaseNumber { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public string StationCounty { get; init; } = "";
        public string Kind { get; init; } = "";
        public string PoliceUnit { get; init; } = "";
        public string? Reference { get; init; }
        public string Status { get; init; } = "";
        public DateTime DueAt { get; init; }
        public int OverdueLevel { get; init; }
        public DateTime RequestedAt { get; init; }
        public string? RequestedByName { get; init; }
        public string? Result { get; init; }
        public string? NoteKeyId { get; init; }
        public byte[]? NoteSealed { get; init; }
        public DateTime? AnsweredAt { get; init; }
        public string? AnsweredByName { get; init; }
    }
}
