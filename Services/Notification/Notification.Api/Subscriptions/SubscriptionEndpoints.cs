using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.Notification.Delivery;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Http;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.Notification.Subscriptions;

/// <summary>
/// 订阅: which of an office's desk items go out through which channel. County officers manage the offices of their county,
/// the city all. Targets and secrets are sealed at rest and never returned: a list shows the masked target only.
/// </summary>
public static class SubscriptionEndpoints
{
    public static readonly string[] Managers = [ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    /// <summary>The offices a manager may subscribe: a county officer's county, the city's every one.</summary>
    public static readonly string OfficeScope = DataScope.Predicate(new ScopeColumns(County: "o.county_code"));

    public static IEndpointRouteBuilder MapSubscriptionEndpoints(this IEndpointRouteBuilder app)
    {
        var subscriptions = app.MapGroup("/api/subscriptions").WithTags("Subscriptions")
            .RequireAuthorization(policy => policy.RequireRole(Managers));
        subscriptions.MapGet("/", ListAsync);
        subscriptions.MapPost("/", SubscribeAsync).Validate<SubscriptionRequest>();
        subscriptions.MapDelete("/{id:guid}", UnsubscribeAsync);
        return app;
    }

    private static readonly string SelectSubscriptions = $"""
        select s.id, s.office_code, o.name as office_name, o.county_code as office_county, s.kind, s.channel, s.format,
               s.target_display as target, s.secret_sealed is not null as has_secret, s.created_at, s.created_by, s.created_by_name
        from subscriptions s join offices o on o.code = s.office_code
        where s.removed_at is null and {OfficeScope}
        """;

    /// <summary>The subscriptions of the offices in the caller's scope (of one office with <paramref name="office"/>).</summary>
    public static async Task<Ok<IReadOnlyList<SubscriptionView>>> ListAsync(
        string? office, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<SubscriptionView>(new CommandDefinition(
            $"{SelectSubscriptions} and (@Office::text is null or s.office_code = @Office) order by s.office_code, s.kind, s.created_at, s.id",
            DataScope.Parameters(user, new { Office = office }), cancellationToken: cancellationToken));
        return TypedResults.Ok<IReadOnlyList<SubscriptionView>>(rows.AsList());
    }

    private static readonly string SelectOffice = $"""
        select o.code, o.active, {OfficeScope} as in_scope from offices o where o.code = @Code
        """;

    private const string InsertSubscription = """
        insert into subscriptions (id, office_code, kind, channel, format, target_key_id, target_sealed, target_display,
                                   secret_key_id, secret_sealed, created_at, created_by, created_by_name)
        values (@Id, @OfficeCode, @Kind, @Channel, @Format, @TargetKeyId, @TargetSealed, @TargetDisplay,
                @SecretKeyId, @SecretSealed, @Now, @By, @ByName)
        """;

    public static async Task<Results<Created<SubscriptionView>, ValidationProblem, ProblemHttpResult>> SubscribeAsync(
        SubscriptionRequest request, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units, PersonalDataProtector protector,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var office = await connection.QuerySingleOrDefaultAsync<OfficeInScope>(new CommandDefinition(
            SelectOffice, DataScope.Parameters(user, new { Code = request.OfficeCode }), cancellationToken: cancellationToken));
        if (office is null || !office.Active)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["officeCode"] = ["没有这个在用的机构 / no active office has this code"],
            });
        }

        if (!office.InScope)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden,
                title: "只能为本县的机构订阅 / you may subscribe the offices of your own county only");
        }

        var id = Guid.CreateVersion7();
        var isSms = request.Channel == DeliveryChannel.Sms;
        // The numbers as one sealed value, in the order given; the dispatcher splits them again.
        var target = isSms ? string.Join(',', request.PhoneNumbers!) : request.Url!.Trim();
        var sealedTarget = protector.Seal(target, id);
        var sealedSecret = string.IsNullOrEmpty(request.Secret) ? null : protector.Seal(request.Secret, id);
        var now = clock.GetUtcNow();
        var unit = units.Begin();
        unit.Write(InsertSubscription, new
        {
            Id = id, request.OfficeCode, request.Kind, request.Channel, Format = isSms ? null : request.Format,
            TargetKeyId = sealedTarget.KeyId, TargetSealed = sealedTarget.Ciphertext,
            TargetDisplay = isSms ? TargetMask.PhoneNumbers(request.PhoneNumbers!) : TargetMask.Url(target),
            SecretKeyId = sealedSecret?.KeyId, SecretSealed = sealedSecret?.Ciphertext,
            Now = now, By = user.Subject, ByName = user.DisplayName,
        });
        // Ids and the subscription's shape only: the target is a secret.
        AuditLog.Record(unit, user, new AuditEntry("subscribe", AuditEntry.Succeeded, id.ToString(),
            $"{request.OfficeCode} {request.Kind} {request.Channel}{(isSms ? "" : "/" + request.Format)}"));
        await unit.CommitAsync(CancellationToken.None);

        var created = await connection.QuerySingleAsync<SubscriptionView>(new CommandDefinition(
            $"{SelectSubscriptions} and s.id = @Id", DataScope.Parameters(user, new { Id = id }), cancellationToken: cancellationToken));
        return TypedResults.Created($"/api/subscriptions/{id}", created);
    }

    private const string Remove = """
        update subscriptions set removed_at = @Now, removed_by = @By where id = @Id and removed_at is null
        """;

    // What was planned and not yet sent is not sent after the office unsubscribed; the log says why.
    private const string EndPending = """
        update deliveries set status = 'failed', failed_at = @Now, claimed_until = null, last_error = 'unsubscribed before it was sent'
        where subscription_id = @Id and status = 'pending'
        """;

    /// <summary>Unsubscribes: nothing more is planned for it. Not found, already removed or out of scope: 404.</summary>
    public static async Task<Results<NoContent, NotFound>> UnsubscribeAsync(
        Guid id, HttpContext http, NpgsqlDataSource db, UnitOfWorkFactory units, TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var existing = await connection.QuerySingleOrDefaultAsync<SubscriptionView>(new CommandDefinition(
            $"{SelectSubscriptions} and s.id = @Id", DataScope.Parameters(user, new { Id = id }), cancellationToken: cancellationToken));
        if (existing is null)
        {
            return TypedResults.NotFound();
        }

        var unit = units.Begin();
        var values = new { Id = id, Now = clock.GetUtcNow(), By = user.Subject };
        unit.WriteOne(Remove, values);
        unit.Write(EndPending, values);
        AuditLog.Record(unit, user, new AuditEntry("unsubscribe", AuditEntry.Succeeded, id.ToString(),
            $"{existing.OfficeCode} {existing.Kind} {existing.Channel}"));
        try
        {
            await unit.CommitAsync(CancellationToken.None);
        }
        catch (StaleVersionException)
        {
            return TypedResults.NotFound(); // removed meanwhile
        }

        return TypedResults.NoContent();
    }

    private sealed record OfficeInScope(string Code, bool Active, bool InScope);
}

/// <summary>
/// A subscription as managers see it: the target masked (a robot's URL carries its key; numbers are staff's phones),
/// whether it has a secret, never the secret.
/// </summary>
public sealed record SubscriptionView(
    Guid Id, string OfficeCode, string OfficeName, string OfficeCounty, string Kind, string Channel, string? Format, string Target,
    bool HasSecret, DateTime CreatedAt, string CreatedBy, string? CreatedByName);

/// <summary>How a sealed target is shown: enough to tell which it is, not enough to use it.</summary>
public static class TargetMask
{
    /// <summary>The scheme, host and port, and the URL's last four characters: <c>https://qyapi.weixin.qq.com/…1a2b</c>.</summary>
    public static string Url(string url)
    {
        var uri = new Uri(url);
        var tail = url.Length > 12 ? url[^4..] : "";
        return $"{uri.Scheme}://{uri.Authority}/…{tail}";
    }

    /// <summary>Each number with its middle four digits hidden: <c>138****8000</c>.</summary>
    public static string PhoneNumbers(IEnumerable<string> numbers) =>
        string.Join(", ", numbers.Select(number => number.Length == 11 ? $"{number[..3]}****{number[7..]}" : "****"));
}
