using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Relief.FamilySearch.Contracts;
using Relief.FamilySearch.Copies;
using Relief.FamilySearch.Deadlines;
using Relief.FamilySearch.Photos;
using Relief.Referral.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.FamilySearch.Notices;

/// <summary>
/// A station accepted a referral: the person has entered the station. If their identity is not established (Intake says
/// unconfirmed or not_established), a notice is drafted from the case — its 24 hours run from the acceptance — and
/// <see cref="NoticeDrafted"/> goes out, once per referral: the inbox takes a redelivery, the notice's unique referral
/// and the check below a second acceptance, and a case whose notice is still out gets no second one.
/// </summary>
public sealed class ReferralAcceptedConsumer(
    UnitOfWorkFactory units, NpgsqlDataSource db, IntakeNoticeFacts intake, PersonalDataProtector protector,
    IOptionsMonitor<DeadlineOptions> options, TimeProvider clock, ILogger<ReferralAcceptedConsumer> logger)
    : IdempotentConsumer<ReferralAccepted>(units, logger)
{
    protected override string InboxName => "familysearch.referral-accepted";

    /// <summary>How far either side of staff's estimate a notice's age range goes (the national site searches by range).</summary>
    public const int EstimateSpread = 5;

    /// <summary>The statuses of an identity not established: the person needs their family found.</summary>
    public static readonly string[] Unestablished = ["unconfirmed", "not_established"];

    private const string AlreadyDrafted = """
        select exists (select 1 from notices where referral_id = @ReferralId or (case_id = @CaseId and status <> 'withdrawn'))
        """;

    // The case copy may not have arrived yet (CaseRegistered comes on another queue): Intake's answer fills it.
    private const string InsertNotice = """
        insert into notices (id, case_id, case_number, referral_id, county_code, station_county, status, version,
                             arrived_at, due_at, sex, age_low, age_high, found_on, found_county,
                             details_key_id, details_sealed, drafted_at, updated_at)
        values (@Id, @CaseId, @CaseNumber, @ReferralId, @CountyCode, @StationCounty, 'draft', 1,
                @ArrivedAt, @DueAt, @Sex, @AgeLow, @AgeHigh, @FoundOn, @FoundCounty,
                @DetailsKeyId, @DetailsSealed, @Now, @Now)
        """;

    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    private static readonly Dictionary<string, string> HealthLabels = new()
    {
        ["ill_or_injured"] = "患病或受伤", ["disabled"] = "残疾", ["elderly_alone"] = "独居老人", ["minor"] = "未成年人",
    };

    protected override async Task HandleAsync(ReferralAccepted message, UnitOfWork unit, CancellationToken cancellationToken)
    {
        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(AlreadyDrafted,
                    new { message.ReferralId, message.CaseId }, cancellationToken: cancellationToken)))
            {
                return;
            }
        }

        var facts = await intake.GetAsync(message.CaseId, cancellationToken);
        // Not established, or not yet checked and no document given: a person who showed an ID card awaits its check,
        // not a family search.
        if (facts is null || !Unestablished.Contains(facts.IdentityStatus) || (facts.IdentityStatus == "unconfirmed" && facts.DocumentGiven))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var noticeId = Guid.CreateVersion7();
        var dueAt = message.At + options.CurrentValue.NoticeDueWithin;
        var details = new NoticeDetails(
            Name: facts.Name,
            Health: Labels(facts.HealthSituations.Where(HealthLabels.ContainsKey).Select(code => HealthLabels[code])),
            MentalState: facts.HealthSituations.Contains("mental_distress") ? "精神状况异常，待评估" : null,
            FoundPlace: facts.Place);
        var sealedDetails = details.Seal(protector, noticeId);
        var (ageLow, ageHigh) = facts.Age is not { } age ? ((int?)null, (int?)null)
            : facts.AgeEstimated ? (Math.Max(0, age - EstimateSpread), age + EstimateSpread) : (age, age);

        unit.Write(CaseRegisteredConsumer.KeepCase, new
        {
            facts.CaseId, facts.CaseNumber, facts.CountyCode, facts.ServicePointCode, RegisteredAt = facts.RegisteredAt.ToUniversalTime(),
        });
        unit.Write(InsertNotice, new
        {
            Id = noticeId, message.CaseId, facts.CaseNumber, message.ReferralId, message.CountyCode,
            StationCounty = message.ReceivingStationCounty, ArrivedAt = message.At.ToUniversalTime(), DueAt = dueAt.ToUniversalTime(),
            Sex = facts.Sex is "male" or "female" ? facts.Sex : "unknown", AgeLow = ageLow, AgeHigh = ageHigh,
            FoundOn = DateOnly.FromDateTime(facts.RegisteredAt.ToOffset(Beijing).DateTime), FoundCounty = facts.CountyCode,
            DetailsKeyId = sealedDetails.KeyId, DetailsSealed = sealedDetails.Ciphertext, Now = now,
        });
        // A photo taken at intake (or earlier at the station) shows on the notice from its draft.
        PhotoLinks.ShowNewestPhoto(unit, noticeId);
        NoticeHistory.Note(unit, noticeId, 1, now, "drafted", NoticeActors.System,
            JsonSerializer.Serialize(new { referralId = message.ReferralId }));
        FamilySearchDeadlines.Arm(unit, FamilySearchDeadlines.Notice, noticeId, dueAt.ToUniversalTime());
        unit.Publish(new NoticeDrafted
        {
            NoticeId = noticeId, CaseId = message.CaseId, CountyCode = message.CountyCode,
            StationCounty = message.ReceivingStationCounty, ArrivedAt = message.At, DueAt = dueAt, At = now,
        });
    }

    private static string? Labels(IEnumerable<string> labels) => string.Join("；", labels) is { Length: > 0 } text ? text : null;
}
