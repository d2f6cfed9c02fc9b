using System.Globalization;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using Relief.ServiceDefaults;

namespace Relief.Benchmarks;

/// <summary>
/// Fills Reporting's read model (report_cases, report_referrals, report_relief, report_points) with a year of a busy
/// city: cases over 13 counties and ~200 points, referrals, relief and outcomes in the proportions the stations report
/// (a third referred, one in twelve referrals rejected and sent again, most relief food and vouchers). Loaded with binary
/// COPY and the read model's own indexes dropped during the load and built after it, as a rebuild would want them.
/// Seeded, so every run loads the same rows.
/// </summary>
internal sealed class ReadModelLoader(NpgsqlConnection connection, string connectionString, int cases)
{
    /// <summary>The first day of the year the cases fall in; the last month is November 2026.</summary>
    public static readonly DateOnly FirstMonth = new(2025, 12, 1);
    public const int Months = 12;

    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);
    private readonly Random random = new(14);

    public static readonly string[] Counties = [.. YunchengCounties.Names.Keys.Order(StringComparer.Ordinal)];

    // 盐湖区 (the city's seat, with the railway and bus stations) takes a quarter of the cases, the county towns share the rest.
    private static readonly double[] CountyWeights = [25, 7, 5, 6, 5, 6, 4, 5, 5, 5, 6, 11, 10];

    private static readonly (string Kind, double Weight)[] PointKinds =
    [
        ("community_center", 40), ("love_station", 25), ("bus_station", 8), ("railway_station", 5), ("regional_center", 6),
        ("reception_center", 6), ("high_speed_rail_station", 2), ("governance_center", 5), ("mediation_center", 3),
    ];

    private static readonly (string Status, double Weight)[] PointStatuses = [("embedded", 85), ("planned", 8), ("suspended", 5), ("closed", 2)];
    private static readonly (string Channel, double Weight)[] Channels = [("WalkIn", 60), ("Hotline", 15), ("Outreach", 15), ("Police", 10)];
    private static readonly (string Sex, double Weight)[] Sexes = [("Male", 62), ("Female", 33), ("Unknown", 5)];
    private static readonly (string Band, double Weight)[] AgeBands = [("minor", 5), ("adult", 65), ("elderly", 24), ("unknown", 6)];
    private static readonly (string Need, double Weight)[] Needs = [("Food", 45), ("TravelVoucher", 25), ("Referral", 25), ("Emergency", 5)];

    private static readonly (string Situation, double Weight)[] Situations =
    [
        ("no_fare", 30), ("lost_documents", 15), ("lost_phone", 10), ("homeless", 12), ("wandering", 10), ("ill_or_injured", 8),
        ("elderly_alone", 5), ("minor", 2), ("disabled", 3), ("mental_distress", 4), ("other", 1),
    ];

    private static readonly (string Priority, double Weight)[] Priorities = [("normal", 60), ("high", 30), ("urgent", 10)];

    private static readonly (string Status, double Weight)[] IdentityStates =
        [("id_card_checked", 50), ("unconfirmed", 20), ("self_declared", 15), ("police_check", 10), ("not_established", 5)];

    private static readonly (string Outcome, double Weight)[] Outcomes =
    [
        ("returned_home", 40), ("collected_by_relatives", 15), ("escorted_home", 10), ("placed", 8), ("hospitalised", 8),
        ("handed_to_police", 4), ("left_of_own_accord", 12), ("relief_terminated", 3),
    ];

    private static readonly (string Reason, double Weight)[] RejectReasons =
        [("not_in_area", 40), ("no_capacity", 25), ("not_eligible", 20), ("duplicate", 10), ("other", 5)];

    // Travel vouchers home: mostly Shanxi (14) itself and its neighbours, then the provinces people come from for work.
    private static readonly (string Province, double Weight)[] Provinces =
    [
        ("14", 35), ("41", 15), ("61", 12), ("13", 6), ("15", 4), ("37", 4), ("34", 3), ("42", 3), ("51", 3), ("62", 3),
        ("11", 2), ("12", 2), ("32", 2), ("33", 1), ("44", 1), ("50", 1), ("52", 1), ("53", 1), ("64", 1), ("65", 1),
    ];

    public record struct Point(string Code, string Kind, string County);

    public List<Point> Points { get; } = [];

    public int Referrals { get; private set; }

    public int ReliefActions { get; private set; }

    public async Task LoadAsync()
    {
        await DropIndexesAsync();

        // The roll-ups' row triggers are for the handlers' one row at a time: a bulk load fills the rows with them off
        // and counts the roll-ups once from the rows, with the same bucket functions (migrations 0002 and 0003).
        await connection.ExecuteAsync("alter table report_cases disable trigger user; alter table report_relief disable trigger user; alter table report_referrals disable trigger user");
        await LoadPointsAsync();
        await LoadCasesAsync();
        await connection.ExecuteAsync("alter table report_cases enable trigger user; alter table report_relief enable trigger user; alter table report_referrals enable trigger user");
        foreach (var index in await DefinitionsAsync())
        {
            await connection.ExecuteAsync(index);
        }

        await connection.ExecuteAsync("select report_roll_ups_refill()");

        await connection.ExecuteAsync("vacuum analyze report_cases, report_referrals, report_relief, report_points, report_case_counts, report_relief_counts, report_referral_counts, report_referral_accept_minutes, report_referred_months");
    }

    /// <summary>The read model's secondary indexes (not its keys), as the migrations create them: dropped for the load.</summary>
    private const string IndexesSql = """
        select indexdef from pg_indexes i
        where schemaname = 'public' and tablename like 'report\_%'
          and not exists (select from pg_constraint c where c.conname = i.indexname)
        order by indexname
        """;

    private List<string>? definitions;

    /// <summary>The index definitions read before the load (so the baseline can drop them again by name).</summary>
    public async Task<List<string>> DefinitionsAsync() => definitions ??= (await connection.QueryAsync<string>(IndexesSql)).ToList();

    /// <summary>Drops the read model's secondary indexes (the load, and the baseline: the same queries without them).</summary>
    public async Task DropIndexesAsync()
    {
        foreach (var definition in await DefinitionsAsync())
        {
            var name = definition.Split(' ')[definition.StartsWith("CREATE UNIQUE", StringComparison.Ordinal) ? 3 : 2];
            await connection.ExecuteAsync($"drop index if exists {name}");
        }
    }

    private async Task LoadPointsAsync()
    {
        var changedAt = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        await using var import = await connection.BeginBinaryImportAsync(
            "copy report_points (code, kind, county_code, status, version, changed_at) from stdin (format binary)");
        foreach (var (county, c) in Counties.Select((county, c) => (county, c)))
        {
            // ~200 points: the seat has the most; every county has its relief station.
            var count = 8 + (int)Math.Round(CountyWeights[c] * 0.6);
            for (var i = 0; i <= count; i++)
            {
                var kind = i == 0 ? "relief_station" : Pick(PointKinds);
                var code = string.Create(CultureInfo.InvariantCulture, $"P{county}-{i:D3}");
                var status = i == 0 ? "embedded" : Pick(PointStatuses);
                if (status == "embedded")
                {
                    Points.Add(new Point(code, kind, county));
                }

                await import.StartRowAsync();
                await import.WriteAsync(code);
                await import.WriteAsync(kind);
                await import.WriteAsync(county);
                await import.WriteAsync(status);
                await import.WriteAsync(1);
                await import.WriteAsync(changedAt, NpgsqlDbType.TimestampTz);
            }
        }

        await import.CompleteAsync();
    }

    private async Task LoadCasesAsync()
    {
        var pointsByCounty = Counties.ToDictionary(c => c, c => Points.Where(p => p.County == c).ToArray());
        var countyTable = Counties.Select((c, i) => (c, CountyWeights[i])).ToArray();
        var start = new DateTimeOffset(FirstMonth.ToDateTime(TimeOnly.MinValue), Beijing);
        var yearSeconds = (start.AddMonths(Months) - start).TotalSeconds;

        // A connection carries one COPY at a time: referrals and relief stream on connections of their own, all three
        // fed from one pass over the cases.
        await using var referralsConnection = new NpgsqlConnection(connectionString);
        await using var reliefConnection = new NpgsqlConnection(connectionString);
        await referralsConnection.OpenAsync();
        await reliefConnection.OpenAsync();
        await using var caseRows = await connection.BeginBinaryImportAsync(
            "copy report_cases (case_id, case_number, county_code, service_point_code, point_kind, channel, registered_at, month, sex, age_band, need, situations, identity_status, decision, priority, closed_at, outcome, updated_at) from stdin (format binary)");
        await using var referralRows = await referralsConnection.BeginBinaryImportAsync(
            "copy report_referrals (referral_id, case_id, county_code, receiving_station_county, requested_at, accepted_at, rejected_at, reject_reason, completed_at, outcome, overdue_at, status, last_sequence) from stdin (format binary)");
        await using var reliefRows = await reliefConnection.BeginBinaryImportAsync(
            "copy report_relief (action_id, case_id, county_code, kind, amount, destination_province, recorded_at, voided_at) from stdin (format binary)");

        var numbers = new Dictionary<(string, DateOnly), int>();
        for (var n = 0; n < cases; n++)
        {
            var county = Pick(countyTable);
            var point = pointsByCounty[county][random.Next(pointsByCounty[county].Length)];
            // Cases in time order (as registered), a little denser in the winter months around the Spring Festival.
            var at = start.AddSeconds(yearSeconds * Math.Clamp((n + random.NextDouble()) / cases, 0, 0.999999));
            var local = at.ToOffset(Beijing);
            var day = DateOnly.FromDateTime(local.DateTime);
            var number = numbers[(county, day)] = numbers.GetValueOrDefault((county, day)) + 1;
            var caseId = Guid.CreateVersion7(at);
            var need = Pick(Needs);
            var referred = need is "Referral" or "Emergency" || random.NextDouble() < 0.08;
            var situations = PickSituations();
            var priority = referred ? Pick(Priorities) : null;
            DateTimeOffset? closedAt = null;
            string? outcome = null;

            if (referred)
            {
                var requestedAt = at.AddMinutes(2 + random.Next(0, 15));
                var station = random.NextDouble() < 0.9 ? county : Counties[random.Next(Counties.Length)];
                var sequence = 1;
                if (random.NextDouble() < 0.08)
                {
                    var rejectedAt = requestedAt.AddMinutes(AcceptMinutes());
                    await WriteReferralAsync(referralRows, caseId, county, station, requestedAt, null, rejectedAt, Pick(RejectReasons),
                        null, null, null, "rejected", 2);
                    requestedAt = rejectedAt.AddMinutes(5 + random.Next(0, 30));
                    station = county;
                    sequence = 1;
                }

                var acceptMinutes = AcceptMinutes();
                var deadline = priority switch { "urgent" => 15, "high" => 30, _ => 60 };
                DateTimeOffset? overdueAt = acceptMinutes > deadline ? requestedAt.AddMinutes(deadline) : null;
                var fate = random.NextDouble();
                var status = fate switch { < 0.80 => "completed", < 0.90 => "in_progress", < 0.95 => "accepted", < 0.98 => "requested", _ => "cancelled" };
                DateTimeOffset? acceptedAt = status is "requested" or "cancelled" ? null : requestedAt.AddMinutes(acceptMinutes);
                DateTimeOffset? completedAt = status == "completed" ? acceptedAt!.Value.AddHours(2 + random.Next(0, 24 * 9)) : null;
                if (completedAt is not null)
                {
                    outcome = Pick(Outcomes);
                    closedAt = completedAt;
                }

                await WriteReferralAsync(referralRows, caseId, county, station, requestedAt, acceptedAt, null, null, completedAt, outcome,
                    overdueAt, status, sequence + status switch { "completed" => 3, "in_progress" => 2, "accepted" => 1, "cancelled" => 1, _ => 0 });
            }

            await WriteReliefAsync(reliefRows, caseId, county, need, referred, at);

            await caseRows.StartRowAsync();
            await caseRows.WriteAsync(caseId);
            await caseRows.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{county}-{day:yyyyMMdd}-{number:D4}"));
            await caseRows.WriteAsync(county);
            await caseRows.WriteAsync(point.Code);
            await caseRows.WriteAsync(point.Kind);
            await caseRows.WriteAsync(Pick(Channels));
            await caseRows.WriteAsync(at.UtcDateTime, NpgsqlDbType.TimestampTz);
            await caseRows.WriteAsync(new DateOnly(day.Year, day.Month, 1), NpgsqlDbType.Date);
            await caseRows.WriteAsync(Pick(Sexes));
            await caseRows.WriteAsync(Pick(AgeBands));
            await caseRows.WriteAsync(need);
            await caseRows.WriteAsync(situations, NpgsqlDbType.Array | NpgsqlDbType.Text);
            await caseRows.WriteAsync(Pick(IdentityStates));
            await caseRows.WriteAsync(referred ? "referral" : "relief_at_point");
            await WriteNullableAsync(caseRows, priority);
            await WriteNullableAsync(caseRows, closedAt);
            await WriteNullableAsync(caseRows, outcome);
            await caseRows.WriteAsync((closedAt ?? at).UtcDateTime, NpgsqlDbType.TimestampTz);
        }

        await caseRows.CompleteAsync();
        await referralRows.CompleteAsync();
        await reliefRows.CompleteAsync();
    }

    /// <summary>Minutes to accept: log-normal, median ~25 min, p90 ~2 h, as a station on a busy night answers.</summary>
    private double AcceptMinutes() => Math.Round(Math.Exp(Math.Log(25) + 1.1 * Gaussian()), 1);

    private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private async Task WriteReferralAsync(NpgsqlBinaryImporter rows, Guid caseId, string county, string station, DateTimeOffset requestedAt,
        DateTimeOffset? acceptedAt, DateTimeOffset? rejectedAt, string? rejectReason, DateTimeOffset? completedAt, string? outcome,
        DateTimeOffset? overdueAt, string status, int sequence)
    {
        Referrals++;
        await rows.StartRowAsync();
        await rows.WriteAsync(Guid.CreateVersion7(requestedAt));
        await rows.WriteAsync(caseId);
        await rows.WriteAsync(county);
        await rows.WriteAsync(station);
        await rows.WriteAsync(requestedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
        await WriteNullableAsync(rows, acceptedAt);
        await WriteNullableAsync(rows, rejectedAt);
        await WriteNullableAsync(rows, rejectReason);
        await WriteNullableAsync(rows, completedAt);
        await WriteNullableAsync(rows, outcome);
        await WriteNullableAsync(rows, overdueAt);
        await rows.WriteAsync(status);
        await rows.WriteAsync(sequence);
    }

    private async Task WriteReliefAsync(NpgsqlBinaryImporter rows, Guid caseId, string county, string need, bool referred, DateTimeOffset at)
    {
        var actions = new List<(string Kind, decimal? Amount, string? Province)>();
        if (random.NextDouble() < 0.7)
        {
            actions.Add((random.NextDouble() < 0.8 ? "food" : "water", null, null));
        }

        if (need == "TravelVoucher" || random.NextDouble() < 0.05)
        {
            var province = Pick(Provinces);
            actions.Add(("travel_voucher", Math.Round((decimal)(province == "14" ? 30 + random.Next(0, 90) : 120 + random.Next(0, 480)), 2), province));
        }

        if (referred && random.NextDouble() < 0.5)
        {
            actions.Add(("lodging", null, null));
        }

        if (referred && random.NextDouble() < 0.1)
        {
            actions.Add(("escort", null, null));
        }

        if (random.NextDouble() < 0.05)
        {
            actions.Add(("cash_fare", 5 + random.Next(0, 16), null));
        }

        foreach (var (kind, amount, province) in actions)
        {
            ReliefActions++;
            var recordedAt = at.AddMinutes(10 + random.Next(0, 240));
            await rows.StartRowAsync();
            await rows.WriteAsync(Guid.CreateVersion7(recordedAt));
            await rows.WriteAsync(caseId);
            await rows.WriteAsync(county);
            await rows.WriteAsync(kind);
            await WriteNullableAsync(rows, amount);
            await WriteNullableAsync(rows, province);
            await rows.WriteAsync(recordedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
            await WriteNullableAsync(rows, random.NextDouble() < 0.01 ? recordedAt.AddHours(1) : null);
        }
    }

    private string[] PickSituations()
    {
        var count = random.NextDouble() switch { < 0.55 => 1, < 0.88 => 2, _ => 3 };
        var picked = new HashSet<string>();
        while (picked.Count < count)
        {
            picked.Add(Pick(Situations));
        }

        return [.. picked];
    }

    private T Pick<T>((T Value, double Weight)[] table)
    {
        var roll = random.NextDouble() * table.Sum(t => t.Weight);
        foreach (var (value, weight) in table)
        {
            roll -= weight;
            if (roll < 0)
            {
                return value;
            }
        }

        return table[^1].Value;
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter rows, string? value) =>
        value is null ? rows.WriteNullAsync() : rows.WriteAsync(value, NpgsqlDbType.Text);

    private static Task WriteNullableAsync(NpgsqlBinaryImporter rows, DateTimeOffset? value) =>
        value is null ? rows.WriteNullAsync() : rows.WriteAsync(value.Value.UtcDateTime, NpgsqlDbType.TimestampTz);

    private static Task WriteNullableAsync(NpgsqlBinaryImporter rows, decimal? value) =>
        value is null ? rows.WriteNullAsync() : rows.WriteAsync(value.Value, NpgsqlDbType.Numeric);
}
