using System.Text.Json;
using System.Text.Json.Serialization;
using Relief.FamilySearch.Contracts;
using Relief.Intake.Contracts;
using Relief.Referral.Contracts;
using Relief.Registry.Contracts;
using Relief.ServiceDefaults;

namespace Relief.IntegrationTests.Reporting;

/// <summary>What Intake's facts endpoint answers for a generated case (the fields of its CaseFacts).</summary>
public sealed record GeneratedFacts(
    Guid CaseId, string CaseNumber, string CountyCode, string ServicePointCode, string Channel, string IdentityStatus, int? Age,
    string[] Situations, string[] Needs, string? HouseholdCounty, DateTimeOffset RegisteredAt, DateTimeOffset AsOf,
    bool DocumentGiven, string Need);

/// <summary>One event as its source published it, in the order it happened (the source's history).</summary>
public sealed record GeneratedEvent(string Stream, object Message, Guid MessageId);

/// <summary>
/// A month of the network (November 2026, Beijing) from a fixed seed: cases across Yuncheng's 13 counties at three
/// points each, identity confirmations, classifications, referrals through their lifecycle (accepted, rejected, overdue,
/// completed with an outcome), relief actions (some voided) — as the events Intake, Referral and Registry publish, plus
/// the facts Intake would answer for each case. The expected numbers are counted straight from these lists.
/// </summary>
public sealed class GeneratedMonth
{
    public static readonly DateTimeOffset MonthStart = new(2026, 11, 1, 0, 0, 0, TimeSpan.FromHours(8));

    public static readonly string[] Counties = [.. YunchengCounties.Names.Keys.Order(StringComparer.Ordinal)];

    public static readonly string[] PointKinds = ["community_center", "love_station", "bus_station"];

    private static readonly string[] Situations = ["ill_or_injured", "minor", "elderly", "disabled", "mental_disorder", "homeless"];
    private static readonly string[] Identities = ["unconfirmed", "id_card_checked", "police_check", "self_declared", "not_established"];
    private static readonly string[] RejectReasons = ["not_in_area", "no_capacity", "not_eligible"];
    private static readonly string[] Outcomes = ["returned_home", "collected_by_relatives", "escorted_home", "placed"];
    private static readonly string[] PointOutcomes = ["relief_given", "returned_home", "left_of_own_accord"];
    private static readonly string[] ReliefKinds = ["food", "travel_voucher", "cash_fare", "lodging", "escort"];
    private static readonly string[] Provinces = ["14", "41", "61", "11", "13"];

    public List<GeneratedEvent> Events { get; } = [];
    public Dictionary<Guid, GeneratedFacts> Facts { get; } = [];

    public int Cases { get; private set; }
    public Dictionary<string, int> CasesByCounty { get; } = [];
    public Dictionary<string, int> CasesBySituation { get; } = [];
    public HashSet<Guid> ReferredCases { get; } = [];
    public int Referrals { get; private set; }
    public int Accepted { get; private set; }
    public int Rejected { get; private set; }
    public int Overdue { get; private set; }
    public int Completed { get; private set; }
    public int ReliefActions { get; private set; }
    public Dictionary<string, ExpectedTotals> ByCounty { get; } = [];
    /// <summary>Each case's outcome: its completed referral's, its point's close, else open.</summary>
    public Dictionary<string, int> CasesByOutcome { get; } = [];

    public sealed class ExpectedTotals
    {
        public int Cases { get; set; }
        public HashSet<Guid> Referred { get; } = [];
        public int Referrals { get; set; }
        public int Accepted { get; set; }
        public int Rejected { get; set; }
        public int Overdue { get; set; }
        public int Completed { get; set; }
        public int ReliefActions { get; set; }
    }

    public static string PointOf(string county, int index) => $"RPT-{county}-{index}";

    public static GeneratedMonth Create(int cases, int seed = 14)
    {
        var month = new GeneratedMonth();
        var random = new Random(seed);
        var pointVersion = 1;
        foreach (var county in Counties)
        {
            month.ByCounty[county] = new ExpectedTotals();
            for (var i = 0; i < PointKinds.Length; i++)
            {
                month.Add("service-points", new ServicePointChanged
                {
                    Code = PointOf(county, i), Name = $"统计测试点 {county}-{i}", Kind = PointKinds[i], CountyCode = county,
                    Status = "embedded", Version = pointVersion, ChangedAt = MonthStart.AddDays(-30),
                });
            }
        }

        for (var n = 0; n < cases; n++)
        {
            month.AddCase(random, n);
        }

        month.AddNotices(DateTimeOffset.UtcNow);
        return month;
    }

    /// <summary>The county of the generated family-search notices, and when they were generated (the dashboard's "now").</summary>
    public const string NoticeCounty = "140802";

    public DateTimeOffset NoticesGeneratedAt { get; private set; }

    /// <summary>
    /// Four notices of one county around the time of the run (the dashboard counts against now): one near its 24-hour
    /// limit, one past it (overdue), one published within 3 hours, one published and withdrawn because the family was found.
    /// </summary>
    private void AddNotices(DateTimeOffset now)
    {
        NoticesGeneratedAt = now;
        void Notice(TimeSpan arrivedAgo, TimeSpan? publishedAfter = null, bool overdue = false, TimeSpan? reunitedAgo = null)
        {
            var (noticeId, caseId, arrived) = (Guid.NewGuid(), Guid.NewGuid(), now - arrivedAgo);
            Add("notices", new NoticeDrafted
            {
                NoticeId = noticeId, CaseId = caseId, CountyCode = NoticeCounty, StationCounty = NoticeCounty, ArrivedAt = arrived,
                DueAt = arrived.AddHours(24), At = arrived.AddMinutes(1),
            });
            if (overdue)
            {
                Add("notices", new NoticeOverdue
                {
                    NoticeId = noticeId, CaseId = caseId, CountyCode = NoticeCounty, StationCounty = NoticeCounty, Level = 1,
                    DueAt = arrived.AddHours(24), At = arrived.AddHours(24).AddSeconds(5),
                });
            }

            if (publishedAfter is { } after)
            {
                Add("notices", new NoticePublished
                {
                    NoticeId = noticeId, CaseId = caseId, CountyCode = NoticeCounty, StationCounty = NoticeCounty, ArrivedAt = arrived,
                    At = arrived + after,
                });
            }

            if (reunitedAgo is { } ago)
            {
                Add("notices", new NoticeWithdrawn
                {
                    NoticeId = noticeId, CaseId = caseId, CountyCode = NoticeCounty, StationCounty = NoticeCounty, Reason = "reunited",
                    WasPublished = publishedAfter is not null, At = now - ago,
                });
            }
        }

        Notice(TimeSpan.FromHours(20));
        Notice(TimeSpan.FromHours(30), overdue: true);
        Notice(TimeSpan.FromHours(10), publishedAfter: TimeSpan.FromHours(3));
        Notice(TimeSpan.FromHours(40), publishedAfter: TimeSpan.FromHours(5), reunitedAgo: TimeSpan.FromHours(1));
    }

    private void Add(string stream, object message) => Events.Add(new GeneratedEvent(stream, message, Guid.NewGuid()));

    private void AddCase(Random random, int n)
    {
        var county = Counties[n % Counties.Length];
        var totals = ByCounty[county];
        var caseId = Guid.NewGuid();
        var point = PointOf(county, random.Next(PointKinds.Length));
        // Whole minutes within the month, so no case falls on a boundary by a rounding.
        var registeredAt = MonthStart.AddMinutes(random.Next(30 * 24 * 60 - 24 * 60));
        var channel = (IntakeChannel)random.Next(4);
        var age = random.Next(10) == 0 ? (int?)null : random.Next(3, 90);
        var situations = Situations.Where(_ => random.Next(5) == 0).ToArray();
        var identity = Identities[random.Next(Identities.Length)];
        var caseNumber = $"{county}-{registeredAt:yyyyMMdd}-{n:D5}";
        Cases++;
        totals.Cases++;
        CasesByCounty[county] = CasesByCounty.GetValueOrDefault(county) + 1;
        foreach (var situation in situations)
        {
            CasesBySituation[situation] = CasesBySituation.GetValueOrDefault(situation) + 1;
        }

        Facts[caseId] = new GeneratedFacts(caseId, caseNumber, county, point, channel.ToString(), identity, age, situations, [], null,
            registeredAt, registeredAt.AddHours(2), identity != "unconfirmed", "Food");
        Add("cases", new CaseRegistered
        {
            CaseId = caseId, CountyCode = county, ServicePointCode = point, Channel = channel, Sex = (Sex)random.Next(3),
            EstimatedAge = age, Need = (ReliefNeed)random.Next(4), RegisteredAt = registeredAt, CaseNumber = caseNumber,
        });
        if (identity != "unconfirmed")
        {
            Add("cases", new IdentityConfirmed { CaseId = caseId, CountyCode = county, Method = identity, ConfirmedAt = registeredAt.AddMinutes(30) });
        }

        var referred = random.Next(10) < 3;
        Add("classifications", new CaseClassified
        {
            CaseId = caseId, CountyCode = county, RuleSetVersion = 1, Rules = [referred ? "identity_not_established" : "food_at_point"],
            Decision = referred ? "referral" : "relief_at_point", Priority = referred ? "high" : null, At = registeredAt.AddMinutes(1),
        });
        var outcome = "open";
        if (referred)
        {
            outcome = AddReferral(random, caseId, county, point, registeredAt.AddMinutes(2), totals) ?? outcome;
        }
        else
        {
            if (random.Next(2) == 0)
            {
                AddRelief(random, caseId, county, registeredAt.AddMinutes(10), totals);
            }

            if (random.Next(10) < 6)
            {
                outcome = PointOutcomes[random.Next(PointOutcomes.Length)];
                Add("cases", new CaseClosed { CaseId = caseId, CountyCode = county, Outcome = outcome, ClosedAt = registeredAt.AddHours(1) });
            }
        }

        CasesByOutcome[outcome] = CasesByOutcome.GetValueOrDefault(outcome) + 1;
    }

    /// <summary>Adds a referral's events; gives its outcome when it was completed.</summary>
    private string? AddReferral(Random random, Guid caseId, string county, string point, DateTimeOffset sentAt, ExpectedTotals totals)
    {
        string? outcome = null;
        var referralId = Guid.NewGuid();
        Referrals++;
        totals.Referrals++;
        ReferredCases.Add(caseId);
        totals.Referred.Add(caseId);
        Add("referrals", new ReferralRequested
        {
            ReferralId = referralId, CaseId = caseId, CountyCode = county, ReceivingStationCounty = county, ServicePointCode = point,
            Priority = "high", AcceptBy = sentAt.AddMinutes(30), Sequence = 1, SentAt = sentAt,
        });
        var fate = random.Next(10);
        if (fate < 7)
        {
            var acceptedAt = sentAt.AddMinutes(random.Next(1, 120));
            Accepted++;
            totals.Accepted++;
            if (acceptedAt > sentAt.AddMinutes(30))
            {
                Overdue++;
                totals.Overdue++;
                Add("referrals", new ReferralOverdue
                {
                    ReferralId = referralId, CaseId = caseId, CountyCode = county, ReceivingStationCounty = county, Kind = "acceptance",
                    Level = 1, DueAt = sentAt.AddMinutes(30), At = sentAt.AddMinutes(30),
                });
            }

            Add("referrals", new ReferralAccepted
            {
                ReferralId = referralId, CaseId = caseId, CountyCode = county, ReceivingStationCounty = county, Sequence = 2, At = acceptedAt,
            });
            if (random.Next(10) < 8)
            {
                Completed++;
                totals.Completed++;
                outcome = Outcomes[random.Next(Outcomes.Length)];
                Add("referrals", new ReferralCompleted
                {
                    ReferralId = referralId, CaseId = caseId, CountyCode = county, ReceivingStationCounty = county, Sequence = 3,
                    At = acceptedAt.AddHours(random.Next(1, 48)), Outcome = outcome,
                });
                if (random.Next(2) == 0)
                {
                    AddRelief(random, caseId, county, acceptedAt.AddMinutes(20), totals);
                }
            }
        }
        else if (fate < 9)
        {
            Rejected++;
            totals.Rejected++;
            Add("referrals", new ReferralRejected
            {
                ReferralId = referralId, CaseId = caseId, CountyCode = county, ReceivingStationCounty = county, Sequence = 2,
                At = sentAt.AddMinutes(random.Next(1, 25)), Reason = RejectReasons[random.Next(RejectReasons.Length)],
            });
        }
        else
        {
            // Left unaccepted: overdue, still open.
            Overdue++;
            totals.Overdue++;
            Add("referrals", new ReferralOverdue
            {
                ReferralId = referralId, CaseId = caseId, CountyCode = county, ReceivingStationCounty = county, Kind = "acceptance",
                Level = 1, DueAt = sentAt.AddMinutes(30), At = sentAt.AddMinutes(30),
            });
        }

        return outcome;
    }

    private void AddRelief(Random random, Guid caseId, string county, DateTimeOffset at, ExpectedTotals totals)
    {
        var actionId = Guid.NewGuid();
        var kind = ReliefKinds[random.Next(ReliefKinds.Length)];
        Add("relief", new ReliefActionRecorded
        {
            ActionId = actionId, CaseId = caseId, CountyCode = county, Kind = kind,
            Amount = kind is "travel_voucher" or "cash_fare" ? random.Next(20, 300) : null,
            DestinationProvince = kind == "travel_voucher" ? Provinces[random.Next(Provinces.Length)] : null, At = at,
        });
        if (random.Next(20) == 0)
        {
            Add("relief", new ReliefActionVoided { ActionId = actionId, CaseId = caseId, CountyCode = county, Kind = kind, At = at.AddHours(1) });
        }
        else
        {
            ReliefActions++;
            totals.ReliefActions++;
        }
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>A page of a stream's history in the agreed shape; the cursor is the item's index in the stream.</summary>
    public object HistoryPage(string stream, string? after, int limit)
    {
        var events = Events.Where(e => e.Stream == stream).ToList();
        var start = after is null ? 0 : int.Parse(after, System.Globalization.CultureInfo.InvariantCulture) + 1;
        var items = events.Skip(start).Take(limit).Select((e, i) => new
        {
            cursor = (start + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
            type = e.Message.GetType().Name,
            message = JsonSerializer.SerializeToElement(e.Message, e.Message.GetType(), Json),
        }).ToList();
        var next = start + items.Count < events.Count ? items[^1].cursor : null;
        return new { items, next };
    }
}
