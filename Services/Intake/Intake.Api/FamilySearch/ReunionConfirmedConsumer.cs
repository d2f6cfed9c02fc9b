using System.Text.Json;
using Dapper;
using Npgsql;
using Relief.FamilySearch.Contracts;
using Relief.Intake.Cases;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Intake.FamilySearch;

/// <summary>
/// 寻亲成功: family search matched the person to a family's missing-person report and staff confirmed it. The case's
/// timeline gets the reunion, and its identity is confirmed by the relatives through the same path staff confirm
/// identities by (<see cref="IdentityConfirmation.Record"/>), so <c>IdentityConfirmed</c> goes out as for any other
/// confirmation and Referral reclassifies the case on it. Ids and codes only, as the event carries them.
/// </summary>
public sealed partial class ReunionConfirmedConsumer(
    UnitOfWorkFactory units, NpgsqlDataSource db, ILogger<ReunionConfirmedConsumer> logger)
    : IdempotentConsumer<ReunionConfirmed>(units, logger)
{
    /// <summary>Who confirmed, as the case's history names it: the family-search service on staff's decision there.</summary>
    public const string By = "familysearch";

    public const string Method = "relatives_confirmed";

    protected override string InboxName => "intake.reunion-confirmed";

    private const string RecordReunion = """
        insert into case_history (case_id, at, by, action, detail)
        values (@CaseId, @At, @By, 'reunion', @Detail::jsonb)
        """;

    protected override async Task HandleAsync(ReunionConfirmed message, UnitOfWork unit, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var countyCode = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "select county_code from cases where id = @CaseId", new { message.CaseId }, cancellationToken: cancellationToken));
        if (countyCode is null)
        {
            // A case this Intake never registered (retention removed it, or another deployment's): nothing to record.
            LogUnknownCase(logger, message.CaseId);
            return;
        }

        var at = message.At.ToUniversalTime();
        unit.Write(RecordReunion, new
        {
            message.CaseId, At = at, By,
            Detail = JsonSerializer.Serialize(new
            {
                matchId = message.MatchId, noticeId = message.NoticeId, reportId = message.ReportId, reportCounty = message.ReportCounty,
            }),
        });
        IdentityConfirmation.Record(unit, message.CaseId, countyCode, Method, at, By, null, null,
            new { method = Method, matchId = message.MatchId });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reunion for case {CaseId}, which Intake does not have: not recorded")]
    private static partial void LogUnknownCase(ILogger logger, Guid caseId);
}
