using System.Data.Common;
using Dapper;
using Npgsql;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.ServiceDefaults.Audit;

/// <summary>An entry of the audit log. Subjects are ids (a case id), never personal data itself.</summary>
public sealed record AuditEntry(string Action, string Outcome, string? Subject = null, string? Purpose = null)
{
    public const string Succeeded = "succeeded";
    public const string Refused = "refused";
}

/// <summary>Writes the service's append-only audit log (table <c>audit_log</c>).</summary>
public sealed class AuditLog(NpgsqlDataSource dataSource)
{
    private const string Insert = """
        insert into audit_log (actor, actor_role, actor_office, action, outcome, subject, purpose, trace_id)
        values (@Actor, @ActorRole, @ActorOffice, @Action, @Outcome, @Subject, @Purpose, @TraceId)
        """;

    /// <summary>Records on its own connection: for refusals and reads, which change nothing else.</summary>
    public async Task RecordAsync(ReliefUser user, AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await RecordAsync(connection, null, user, entry, cancellationToken);
    }

    /// <summary>Records inside a unit of work: the change and its audit entry commit together.</summary>
    public static void Record(Data.UnitOfWork unit, ReliefUser user, AuditEntry entry) =>
        unit.Write(Insert, Values(user, entry));

    /// <summary>Records on a connection the caller holds (inside its transaction, if any).</summary>
    public static Task RecordAsync(DbConnection connection, DbTransaction? transaction, ReliefUser user, AuditEntry entry,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(Insert, Values(user, entry), transaction, cancellationToken: cancellationToken));

    private static object Values(ReliefUser user, AuditEntry entry) => new
    {
        Actor = user.Subject,
        ActorRole = user.Role,
        ActorOffice = user.Office,
        entry.Action,
        entry.Outcome,
        entry.Subject,
        entry.Purpose,
        TraceId = ReliefTelemetry.CurrentTraceId,
    };
}
