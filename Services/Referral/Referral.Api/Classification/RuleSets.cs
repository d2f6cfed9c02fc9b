using System.Collections.Concurrent;
using System.Globalization;
using Dapper;
using Npgsql;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Referral.Classification;

/// <summary>
/// A version of the rules, as the API shows it: <c>CreatedBy</c> is the publisher's id, <c>CreatedByName</c> who that was
/// as people read it (null on versions published before names were kept).
/// </summary>
public sealed record RuleSetVersion(int Version, DateTimeOffset CreatedAt, string CreatedBy, string Comment, string? CreatedByName = null);

public sealed record RuleSet(int Version, DateTimeOffset CreatedAt, string CreatedBy, string Comment, IReadOnlyList<ClassificationRule> Rules,
    string? CreatedByName = null);

/// <summary>
/// The versions of the classification rules (table <c>rule_sets</c>). A version is written once and never changed, so
/// each is parsed once per process and kept; the highest is in force for every decision made from then on.
/// </summary>
public sealed class RuleSets(NpgsqlDataSource db)
{
    private readonly ConcurrentDictionary<int, IReadOnlyList<ClassificationRule>> parsed = new();

    public const string SelectVersionInForce = "select version from rule_sets order by version desc limit 1";

    private const string SelectRules = "select rules::text from rule_sets where version = @Version";

    private const string SelectVersions = """
        select version, created_at, created_by, created_by_name, comment from rule_sets order by version desc
        """;

    private const string SelectSet = """
        select version, created_at, created_by, created_by_name, comment, rules::text as rules from rule_sets
        where version = coalesce(@Version, (select max(version) from rule_sets))
        """;

    // Versions are numbered one after another: the lock makes two administrators posting at once take turns.
    private const string TakeTurns = "select pg_advisory_xact_lock(hashtextextended('rule_sets', 0))";

    private const string InsertVersion = """
        insert into rule_sets (version, rules, created_at, created_by, created_by_name, comment)
        select coalesce(max(version), 0) + 1, @Rules::jsonb, @CreatedAt, @CreatedBy, @CreatedByName, @Comment from rule_sets
        returning version
        """;

    /// <summary>The rules of a version, parsed once; read in the caller's transaction when not yet kept.</summary>
    public async Task<IReadOnlyList<ClassificationRule>> RulesOfAsync(int version, NpgsqlConnection connection, NpgsqlTransaction? transaction,
        CancellationToken cancellationToken)
    {
        if (parsed.TryGetValue(version, out var rules))
        {
            return rules;
        }

        var json = await connection.QuerySingleAsync<string>(new CommandDefinition(SelectRules, new { Version = version }, transaction,
            cancellationToken: cancellationToken));
        return parsed.GetOrAdd(version, RuleJson.Read(json));
    }

    /// <summary>A version with its rules; the one in force when <paramref name="version"/> is null. Null if there is none.</summary>
    public async Task<RuleSet?> FindAsync(int? version, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RuleSetRow>(new CommandDefinition(SelectSet, new { Version = version },
            cancellationToken: cancellationToken));
        return row is null ? null : new RuleSet(row.Version, Utc(row.CreatedAt), row.CreatedBy, row.Comment,
            parsed.GetOrAdd(row.Version, _ => RuleJson.Read(row.Rules)), row.CreatedByName);
    }

    public async Task<IReadOnlyList<RuleSetVersion>> VersionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<RuleSetRow>(new CommandDefinition(SelectVersions, cancellationToken: cancellationToken));
        return [.. rows.Select(row => new RuleSetVersion(row.Version, Utc(row.CreatedAt), row.CreatedBy, row.Comment, row.CreatedByName))];
    }

    /// <summary>Keeps a validated set as the next version, in force from now on, with its audit entry, in one transaction.</summary>
    public async Task<int> PublishAsync(IReadOnlyList<ClassificationRule> rules, string comment, ReliefUser user, DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(TakeTurns, transaction: transaction, cancellationToken: cancellationToken));
        var version = await connection.QuerySingleAsync<int>(new CommandDefinition(InsertVersion,
            new { Rules = RuleJson.Write(rules), CreatedAt = at, CreatedBy = user.Subject, CreatedByName = user.DisplayName, Comment = comment }, transaction,
            cancellationToken: cancellationToken));
        await AuditLog.RecordAsync(connection, transaction, user,
            new AuditEntry("publish_classification_rules", AuditEntry.Succeeded, version.ToString(CultureInfo.InvariantCulture)), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return version;
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private sealed class RuleSetRow
    {
        public int Version { get; init; }
        public DateTime CreatedAt { get; init; }
        public string CreatedBy { get; init; } = "";
        public string? CreatedByName { get; init; }
        public string Comment { get; init; } = "";
        public string Rules { get; init; } = "[]";
    }
}
