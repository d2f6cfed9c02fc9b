using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Relief.ServiceDefaults.Concurrency;

namespace Relief.FamilySearch.Retention;

public sealed class FamilySearchRetentionOptions
{
    /// <summary>
    /// How long a report that is no longer open (matched or closed), a withdrawn notice and a photo of a case with no notice
    /// out keep their personal data: as long as Intake keeps a closed case's (3 years), so a reunion can be looked into as
    /// long as the case can.
    /// </summary>
    public TimeSpan KeepPersonalDataFor { get; set; } = TimeSpan.FromDays(3 * 365);

    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Erases the personal data of family search past the retention period. Reports matched or closed before it: who was
/// sought (name, place, features, clothing, accent), who asked (name, relation, phone) and staff's comments on their
/// candidates. Notices withdrawn before it: their sealed details (name, health, features, clothing, place, contact) and
/// the answers' notes of the case's police requests. Photos taken before it of a case with no notice out. What the counts
/// need stays: numbers, codes, counties, sex, ages, dates and states. Open reports and notices are kept: the search goes on.
/// </summary>
public sealed partial class FamilySearchRetention(NpgsqlDataSource db, IOptions<FamilySearchRetentionOptions> options, ILogger<FamilySearchRetention> logger)
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

    private const string EraseNotices = """
        with expired as (
            update notices set details_sealed = null, details_key_id = null, photo_id = null
            where status = 'withdrawn' and withdrawn_at < now() - @KeepFor and details_sealed is not null
            returning case_id),
        notes as (
            update police_requests set note_sealed = null, note_key_id = null
            where case_id in (select case_id from expired) and note_sealed is not null)
        select count(*) from expired
        """;

    private const string ErasePhotos = """
        delete from photos p
        where p.uploaded_at < now() - @KeepFor
          and not exists (select 1 from notices n where n.case_id = p.case_id and n.status <> 'withdrawn')
        """;

    /// <summary>One pass; returns how many reports were anonymised (notices and photos are erased in the same pass).</summary>
    public async Task<long> AnonymiseExpiredAsync(CancellationToken cancellationToken)
    {
        var keepFor = new { KeepFor = options.Value.KeepPersonalDataFor };
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var reports = await connection.ExecuteScalarAsync<long>(new CommandDefinition(Anonymise, keepFor, cancellationToken: cancellationToken));
        var notices = await connection.ExecuteScalarAsync<long>(new CommandDefinition(EraseNotices, keepFor, cancellationToken: cancellationToken));
        var photos = await connection.ExecuteAsync(new CommandDefinition(ErasePhotos, keepFor, cancellationToken: cancellationToken));
        LogErased(logger, notices, photos);
        return reports;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicPass.RunAsync(options.Value.Interval,
            async cancellationToken =>
            {
                var anonymised = await AnonymiseExpiredAsync(cancellationToken);
                LogAnonymised(logger, anonymised);
            },
            e => LogFailed(logger, e.GetType().Name), stoppingToken);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Count} missing-person report(s) past retention anonymised")]
    private static partial void LogAnonymised(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Notices} withdrawn notice(s) and {Photos} photo(s) past retention erased")]
    private static partial void LogErased(ILogger logger, long notices, int photos);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Family-search retention failed ({ExceptionType}); retried at the next pass")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}

public static class FamilySearchRetentionServices
{
    /// <summary>The retention pass (section <c>Retention</c>): reports, notices and photos past the period lose their personal data.</summary>
    public static WebApplicationBuilder AddFamilySearchRetention(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<FamilySearchRetentionOptions>().BindConfiguration("Retention");
        builder.Services.AddSingleton<FamilySearchRetention>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FamilySearchRetention>());
        return builder;
    }
}
