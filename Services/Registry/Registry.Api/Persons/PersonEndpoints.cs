using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.Registry.Persons;

public static class PersonEndpoints
{
    /// <summary>Who may read person records (each only those with a case in their scope).</summary>
    public static readonly string[] Readers = [ReliefRoles.PointStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    /// <summary>Who decides whether two records are one person, and splits wrong links.</summary>
    public static readonly string[] Deciders = [ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    /// <summary>
    /// A person is in a reader's scope when any of their cases is: the county or point that helped them. A merged record
    /// has the scope of the record it joined, which holds its cases now.
    /// </summary>
    private static readonly string Scope = $"""
        exists (select 1 from person_cases sc where sc.person_id = coalesce(p.merged_into, p.id) and
                {DataScope.Predicate(new ScopeColumns(County: "sc.county_code", ServicePoint: "sc.service_point_code"))})
        """;

    public static IEndpointRouteBuilder MapPersonEndpoints(this IEndpointRouteBuilder app)
    {
        var persons = app.MapGroup("/api/persons").WithTags("Persons");
        persons.MapGet("/", FindPersons).RequireAuthorization(policy => policy.RequireRole(Readers));
        persons.MapGet("/{id:guid}", GetPerson).RequireAuthorization(policy => policy.RequireRole(Readers));
        persons.MapPost("/{id:guid}/candidates/{otherId:guid}/confirm", Confirm).RequireAuthorization(policy => policy.RequireRole(Deciders));
        persons.MapPost("/{id:guid}/candidates/{otherId:guid}/reject", Reject).RequireAuthorization(policy => policy.RequireRole(Deciders));
        persons.MapPost("/{id:guid}/split", Split).RequireAuthorization(policy => policy.RequireRole(Deciders));
        return app;
    }

    private const string SelectSummaries = """
        select p.id, p.name, p.sex, p.birth_date, p.estimated_age, p.household_region, p.county_code, p.service_point_code,
               p.id_number_masked, p.recorded_at, p.merged_into, p.trace_id,
               (select count(*) from person_cases c where c.person_id = p.id) as case_count,
               (select count(*) from person_links l where (l.person_id = p.id or l.other_id = p.id) and l.status = 'candidate') as open_candidates
        from persons p
        """;

    /// <summary>
    /// Persons in the reader's scope: the owner of a case (<paramref name="caseId"/>), those with open de-duplication
    /// candidates (<paramref name="candidates"/>), or by name; otherwise the most recently recorded. At most 100.
    /// </summary>
    public static async Task<Results<Ok<IReadOnlyList<PersonSummary>>, NotFound>> FindPersons(
        Guid? caseId, bool? candidates, string? name, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        var filter = (caseId, candidates, name) switch
        {
            ({ }, _, _) => "exists (select 1 from person_cases fc where fc.person_id = p.id and fc.case_id = @caseId)",
            (_, true, _) => "p.merged_into is null and exists (select 1 from person_links l where (l.person_id = p.id or l.other_id = p.id) and l.status = 'candidate')",
            (_, _, { Length: > 0 }) => "p.merged_into is null and p.name = @name",
            _ => "p.merged_into is null",
        };
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<PersonRow>(new CommandDefinition(
            $"{SelectSummaries} where {filter} and {Scope} order by p.recorded_at desc limit 100",
            DataScope.Parameters(user, new { caseId, name = name?.Trim() }), cancellationToken: cancellationToken));
        var persons = rows.Select(row => row.ToSummary()).ToList();
        // The owner of a case not in scope is "not found", as the case itself would be.
        return caseId is not null && persons.Count == 0 ? TypedResults.NotFound() : TypedResults.Ok<IReadOnlyList<PersonSummary>>(persons);
    }

    /// <summary>A person with every case of theirs, the signals in them, and the open candidates and decisions.</summary>
    public static async Task<Results<Ok<PersonDetail>, NotFound>> GetPerson(
        Guid id, HttpContext http, NpgsqlDataSource db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<PersonRow>(new CommandDefinition(
            $"{SelectSummaries} where p.id = @id and {Scope}", DataScope.Parameters(user, new { id }), cancellationToken: cancellationToken));
        if (row is null)
        {
            await audit.RecordAsync(user, new AuditEntry("read_person", AuditEntry.Refused, id.ToString()), cancellationToken);
            return TypedResults.NotFound();
        }

        var cases = (await connection.QueryAsync<PersonCase>(new CommandDefinition("""
            select c.case_id, c.county_code, c.service_point_code, c.channel, c.need, c.registered_at, c.linked_by,
                   i.method as identity_method
            from person_cases c left join case_identity i on i.case_id = c.case_id
            where c.person_id = @id order by c.registered_at desc
            """, new { id }, cancellationToken: cancellationToken))).AsList();
        var links = (await connection.QueryAsync<LinkRow>(new CommandDefinition($"""
            select l.status, l.score, l.reasons, l.decided_at, o.id as other_id, o.name, o.sex, o.birth_date, o.estimated_age,
                   o.household_region, o.county_code, o.recorded_at,
                   (select count(*) from person_cases c where c.person_id = o.id) as case_count
            from person_links l
            join persons o on o.id = case when l.person_id = @id then l.other_id else l.person_id end
            where (l.person_id = @id or l.other_id = @id) and l.status in ('candidate', 'rejected', 'split')
            order by l.status, l.score desc
            """, new { id }, cancellationToken: cancellationToken))).AsList();
        await audit.RecordAsync(user, new AuditEntry("read_person", AuditEntry.Succeeded, id.ToString()), cancellationToken);

        var monthAgo = clock.GetUtcNow().AddDays(-30);
        return TypedResults.Ok(new PersonDetail(
            row.ToSummary(),
            cases,
            new PersonSignals(
                TravelVouchersLast30Days: cases.Count(c => c.Need == "TravelVoucher" && c.RegisteredAt >= monthAgo.UtcDateTime),
                CasesLast30Days: cases.Count(c => c.RegisteredAt >= monthAgo.UtcDateTime)),
            links.Where(l => l.Status == "candidate").Select(l => l.ToCandidate()).ToList(),
            links.Where(l => l.Status != "candidate").Select(l => new KeptApart(l.OtherId, l.Status, l.DecidedAt)).ToList()));
    }

    public static async Task<Results<Ok<DecisionResult>, NotFound, ProblemHttpResult>> Confirm(
        Guid id, Guid otherId, HttpContext http, NpgsqlDataSource db, PersonRegister register, CancellationToken cancellationToken) =>
        await DecideAsync(id, otherId, http, db, user => register.ConfirmAsync(id, otherId, user, cancellationToken), cancellationToken);

    public static async Task<Results<Ok<DecisionResult>, NotFound, ProblemHttpResult>> Reject(
        Guid id, Guid otherId, HttpContext http, NpgsqlDataSource db, PersonRegister register, CancellationToken cancellationToken) =>
        await DecideAsync(id, otherId, http, db, user => register.RejectAsync(id, otherId, user, cancellationToken), cancellationToken);

    private static async Task<Results<Ok<DecisionResult>, NotFound, ProblemHttpResult>> DecideAsync(
        Guid id, Guid otherId, HttpContext http, NpgsqlDataSource db, Func<ReliefUser, Task<LinkDecision>> decide,
        CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        // Both records must be the decider's to see: nobody merges a person they may not look at.
        if (!await InScopeAsync(db, user, [id, otherId], cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var decision = await decide(user);
        return decision switch
        {
            { Succeeded: true } => TypedResults.Ok(new DecisionResult(decision.PersonId!.Value)),
            { Problem: "two_identity_documents" } => TypedResults.Problem(title: "两条记录的身份证件不同，不能合并 / the records carry two different identity documents: they are two people", statusCode: StatusCodes.Status409Conflict, type: "two_identity_documents"),
            _ => TypedResults.Problem(title: "这两条记录已不是待确认的疑似重复 / the pair is no longer an open candidate (decided or merged meanwhile)", statusCode: StatusCodes.Status409Conflict, type: "not_a_candidate"),
        };
    }

    public static async Task<Results<Ok<SplitResult>, NotFound, ValidationProblem>> Split(
        Guid id, SplitRequest request, HttpContext http, NpgsqlDataSource db, PersonRegister register, CancellationToken cancellationToken)
    {
        if (request.CaseIds is not { Length: > 0 } caseIds || caseIds.Distinct().Count() != caseIds.Length)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["caseIds"] = ["选择要拆分出去的案件 / name the cases to split off, each once"],
            });
        }

        var user = ReliefUser.From(http.User);
        if (!await InScopeAsync(db, user, [id], cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var outcome = await register.SplitAsync(id, caseIds, user, cancellationToken);
        return outcome switch
        {
            { Succeeded: true } => TypedResults.Ok(new SplitResult(id, outcome.NewPersonId!.Value)),
            { Problem: "not_found" } => TypedResults.NotFound(),
            _ => TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["caseIds"] = ["只能拆分此人的部分案件 / name some, not all, of this person's cases"],
            }),
        };
    }

    private static async Task<bool> InScopeAsync(NpgsqlDataSource db, ReliefUser user, Guid[] ids, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var visible = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"select count(*) from persons p where p.id = any(@ids) and {Scope}", DataScope.Parameters(user, new { ids }),
            cancellationToken: cancellationToken));
        return visible == ids.Length;
    }

    private sealed class PersonRow
    {
        public Guid Id { get; init; }
        public string? Name { get; init; }
        public string Sex { get; init; } = "";
        public DateTime? BirthDate { get; init; }
        public short? EstimatedAge { get; init; }
        public string? HouseholdRegion { get; init; }
        public string CountyCode { get; init; } = "";
        public string ServicePointCode { get; init; } = "";
        public string? IdNumberMasked { get; init; }
        public DateTime RecordedAt { get; init; }
        public Guid? MergedInto { get; init; }
        public string? TraceId { get; init; }
        public long CaseCount { get; init; }
        public long OpenCandidates { get; init; }

        public PersonSummary ToSummary() => new(Id, PersonNameMask.Mask(Name), Sex, BirthDate?.Year, EstimatedAge, HouseholdRegion,
            CountyCode, ServicePointCode, IdNumberMasked, DateTime.SpecifyKind(RecordedAt, DateTimeKind.Utc), MergedInto, (int)CaseCount,
            (int)OpenCandidates, TraceId);
    }

    private sealed class LinkRow
    {
        public string Status { get; init; } = "";
        public decimal Score { get; init; }
        public string[] Reasons { get; init; } = [];
        public DateTime? DecidedAt { get; init; }
        public Guid OtherId { get; init; }
        public string? Name { get; init; }
        public string Sex { get; init; } = "";
        public DateTime? BirthDate { get; init; }
        public short? EstimatedAge { get; init; }
        public string? HouseholdRegion { get; init; }
        public string CountyCode { get; init; } = "";
        public DateTime RecordedAt { get; init; }
        public long CaseCount { get; init; }

        public PersonCandidate ToCandidate() => new(OtherId, PersonNameMask.Mask(Name), Sex, BirthDate?.Year, EstimatedAge,
            HouseholdRegion, CountyCode, DateTime.SpecifyKind(RecordedAt, DateTimeKind.Utc), (int)CaseCount, Score, Reasons);
    }
}

/// <summary>A person as listed: the name masked, the identity document masked, the birth date only as a year.</summary>
public sealed record PersonSummary(Guid Id, string? Name, string Sex, int? BirthYear, int? EstimatedAge, string? HouseholdRegion,
    string CountyCode, string ServicePointCode, string? IdNumber, DateTime RecordedAt, Guid? MergedInto, int CaseCount, int OpenCandidates,
    /// <summary>The trace the record was made under (the first case's registration).</summary>
    string? TraceId);

public sealed class PersonCase
{
    public Guid CaseId { get; init; }
    public string CountyCode { get; init; } = "";
    public string ServicePointCode { get; init; } = "";
    public string Channel { get; init; } = "";
    public string Need { get; init; } = "";
    public DateTime RegisteredAt { get; init; }
    public string LinkedBy { get; init; } = "";
    /// <summary>How the case's identity was established (身份确认), once it was.</summary>
    public string? IdentityMethod { get; init; }
}

/// <summary>What the cases of a person say together: repeated travel vouchers are worth a second look.</summary>
public sealed record PersonSignals(int TravelVouchersLast30Days, int CasesLast30Days);

public sealed record PersonCandidate(Guid PersonId, string? Name, string Sex, int? BirthYear, int? EstimatedAge, string? HouseholdRegion,
    string CountyCode, DateTime RecordedAt, int CaseCount, decimal Score, string[] Reasons);

public sealed record KeptApart(Guid PersonId, string Decision, DateTime? DecidedAt);

public sealed record PersonDetail(PersonSummary Person, IReadOnlyList<PersonCase> Cases, PersonSignals Signals,
    IReadOnlyList<PersonCandidate> Candidates, IReadOnlyList<KeptApart> KeptApart);

public sealed record SplitRequest(Guid[]? CaseIds);

public sealed record SplitResult(Guid PersonId, Guid NewPersonId);

public sealed record DecisionResult(Guid PersonId);
