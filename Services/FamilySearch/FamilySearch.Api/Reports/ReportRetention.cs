using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Relief.FamilySearch.Reports;

public sealed class ReportRetentionOptions
{
    /// <summary>
    /// How long a report that is no longer open (matched or closed) keeps its personal data: as long as Intake keeps a
    /// closed case's (3 years), so a reunion can be looked into as long as the case can.
    /// </summary>
    public TimeSpan KeepPersonalDataFor { get; set; } = TimeSpan.FromDays(3 * 365);

    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Erases the personal data of reports matched or closed before the retention period: who was sought (name, place,
/// features, clothing, accent), who asked (name, relation, phone) and staff's comments on their candidates. What the
/// counts need stays: the number, channel, county, sex, ages, dates and status. Open reports are kept: the family still
/// searches.
/// </summary>
public sealed partial class ReportRetention(NpgsqlDataSource db, IOptions<ReportRetentionOptions> options, ILogger<ReportRetention> logger)
    : BackgroundService
{
    private const string Anonymise = """
        with expired as (
            update reports
            set sought_sealed = null, sought_key_id = null, reporter_sealed = null, reporter_key_id = null, anonymised_at = now()
            where status <> 'open' and coalesce(matched_at, closed_at) < now() - @KeepFor and anonymised_at is null
            returning id),
        comments as (
            update match_candidates set comment_sealed = null, comment_key_id = null
            where report_id in (select id from expired) and comment_sealed is not null)
        select count(*) from expired
        """;

    /// <summary>One pass; returns how many reports were anonymised.</summary>
    public async Task<long> AnonymiseExpiredAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(Anonymise,
            new { KeepFor = options.Value.KeepPersonalDataFor }, cancellationToken: cancellationToken));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval);
        do
        {
            try
            {
                var anonymised = await AnonymiseExpiredAsync(stoppingToken);
                LogAnonymised(logger, anonymised);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Count} missing-person report(s) past retention anonymised")]
    private static partial void LogAnonymised(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report retention failed ({ExceptionType}); retried at the next pass")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
