using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Relief.ServiceDefaults.Concurrency;

namespace Relief.Intake.Retention;

public sealed class RetentionOptions
{
    /// <summary>How long a closed case keeps its personal data (the national rules keep case files; 3 years here).</summary>
    public TimeSpan ClosedCasesKeepPersonalDataFor { get; set; } = TimeSpan.FromDays(3 * 365);

    /// <summary>How often the job looks for cases to anonymise.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Anonymises closed cases past the retention period: name, circumstances, identity document, birth date, household and
/// found place, belongings, contacts and notes are erased; the facts the statistics need (county, point, channel, need,
/// situations, sex, age, dates) stay.
/// </summary>
public sealed partial class CaseRetention(NpgsqlDataSource db, IOptions<RetentionOptions> options, ILogger<CaseRetention> logger)
    : BackgroundService
{
    private const string Anonymise = """
        update cases
        set person_name = null, circumstances = null, id_number_sealed = null, id_number_key_id = null,
            id_number_hash = null, id_number_hash_key_id = null, id_number_masked = null,
            -- the whole record's personal parts too; the age the statistics need stays, the birth date goes
            estimated_age = coalesce(estimated_age, extract(year from age(registered_at::date, birth_date))::smallint),
            birth_date = null, household_place = null, place = null, belongings = null,
            contacts_sealed = null, contacts_key_id = null, contacts_count = 0, notes_sealed = null, notes_key_id = null,
            anonymised_at = now()
        where closed_at < now() - @KeepFor and anonymised_at is null
        """;

    /// <summary>One pass; returns how many cases were anonymised.</summary>
    public async Task<int> AnonymiseExpiredAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(Anonymise,
            new { KeepFor = options.Value.ClosedCasesKeepPersonalDataFor }, cancellationToken: cancellationToken));
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicPass.RunAsync(options.Value.Interval,
            async cancellationToken =>
            {
                var anonymised = await AnonymiseExpiredAsync(cancellationToken);
                LogAnonymised(logger, anonymised);
            },
            e => LogFailed(logger, e.GetType().Name), stoppingToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: {Count} closed case(s) anonymised")]
    private static partial void LogAnonymised(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention pass failed ({ExceptionType}); next pass at the next interval")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
