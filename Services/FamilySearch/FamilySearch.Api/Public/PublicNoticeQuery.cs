using System.Globalization;
using Dapper;
using Npgsql;
using Relief.FamilySearch.Notices;
using Relief.FamilySearch.Photos;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.FamilySearch.Public;

/// <summary>
/// The national family-search site's filters (全国寻亲网): sex, ethnicity, accent, an age range that overlaps the
/// notice's estimate, a height range, build, the region found in (a GB/T 2260 prefix: 2 digits a province, 4 a city, 6 a
/// county) and the dates found between. Read from the notices' clear columns; only the page's own notices are unsealed.
/// </summary>
public sealed record PublicNoticeFilter
{
    public string? Sex { get; init; }
    public string? Ethnicity { get; init; }
    public string? Accent { get; init; }
    public int? AgeFrom { get; init; }
    public int? AgeTo { get; init; }
    public int? HeightFrom { get; init; }
    public int? HeightTo { get; init; }
    public string? Build { get; init; }
    public string? Region { get; init; }
    public DateOnly? FoundFrom { get; init; }
    public DateOnly? FoundTo { get; init; }
    /// <summary>Where the page starts: after this (published_at, id) in the order published_at desc, id.</summary>
    public (DateTimeOffset PublishedAt, Guid Id)? After { get; init; }
    public int Limit { get; init; }

    private static readonly string[] Sexes = ["male", "female", "unknown"];
    private static readonly string[] Builds = ["slim", "medium", "heavy"];

    /// <summary>The filter, or null with the fields at fault in <paramref name="errors"/>.</summary>
    public static PublicNoticeFilter? Read(IQueryCollection query, PublicNoticeOptions options, Dictionary<string, string[]> errors)
    {
        string? Text(string name, int maxLength)
        {
            var value = query[name].ToString().Trim();
            if (value.Length > maxLength)
            {
                errors[name] = [$"最多 {maxLength} 个字 / at most {maxLength} characters"];
            }

            return value.Length == 0 ? null : value;
        }

        int? Number(string name, int min, int max)
        {
            var value = Text(name, 8);
            if (value is null)
            {
                return null;
            }

            if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
            {
                return number;
            }

            errors[name] = [$"应为 {min}–{max} 的整数 / a whole number from {min} to {max}"];
            return null;
        }

        DateOnly? Date(string name)
        {
            var value = Text(name, 10);
            if (value is null)
            {
                return null;
            }

            if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return date;
            }

            errors[name] = ["日期格式为 yyyy-MM-dd / a date as yyyy-MM-dd"];
            return null;
        }

        string? OneOf(string name, string[] allowed)
        {
            var value = Text(name, 16);
            if (value is not null && !allowed.Contains(value))
            {
                errors[name] = [$"为 {string.Join("、", allowed)} 之一 / one of {string.Join(", ", allowed)}"];
            }

            return value;
        }

        var filter = new PublicNoticeFilter
        {
            Sex = OneOf("sex", Sexes),
            Ethnicity = Text("ethnicity", 20),
            Accent = Text("accent", 40),
            AgeFrom = Number("ageFrom", 0, 150),
            AgeTo = Number("ageTo", 0, 150),
            HeightFrom = Number("heightFrom", 0, 300),
            HeightTo = Number("heightTo", 0, 300),
            Build = OneOf("build", Builds),
            Region = Text("region", 6),
            FoundFrom = Date("foundFrom"),
            FoundTo = Date("foundTo"),
            After = Cursor(Text("after", 80), errors),
            Limit = Number("limit", 1, options.MaxPageSize) ?? options.DefaultPageSize,
        };

        if (filter.Region is { } region && (region.Length is not (2 or 4 or 6) || !region.All(char.IsAsciiDigit)))
        {
            errors["region"] = ["行政区划代码的前 2、4 或 6 位（省、市、县）/ the first 2, 4 or 6 digits of a GB/T 2260 code (province, city, county)"];
        }

        if (filter.AgeFrom > filter.AgeTo)
        {
            errors["ageTo"] = ["不小于 ageFrom / not below ageFrom"];
        }

        if (filter.HeightFrom > filter.HeightTo)
        {
            errors["heightTo"] = ["不小于 heightFrom / not below heightFrom"];
        }

        if (filter.FoundFrom > filter.FoundTo)
        {
            errors["foundTo"] = ["不早于 foundFrom / not before foundFrom"];
        }

        return errors.Count == 0 ? filter : null;
    }

    /// <summary>The next page's <c>after</c>: the last item's publication time (ticks, UTC) and id — both shown on it anyway.</summary>
    public static string CursorOf(PublicNotice last) =>
        string.Create(CultureInfo.InvariantCulture, $"{last.PublishedAt.UtcTicks}_{last.Id:N}");

    private static (DateTimeOffset, Guid)? Cursor(string? after, Dictionary<string, string[]> errors)
    {
        if (after is null)
        {
            return null;
        }

        var parts = after.Split('_');
        if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(parts[1], "N", out var id))
        {
            return (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        }

        errors["after"] = ["after 为上一页的 next / after is the next of the page before"];
        return null;
    }
}

/// <summary>Reads published notices — and only published ones: a withdrawn notice is gone from here the moment it is withdrawn.</summary>
public sealed class PublicNoticeQuery(NpgsqlDataSource db, PersonalDataProtector protector, PhotoStore photos)
{
    private const string Columns = """
        select id, sex, age_low, age_high, height_cm, build, ethnicity, accent, found_on, found_county, published_at,
               details_key_id, details_sealed, photo_id is not null as has_photo
        from notices
        """;

    private const string SelectPage = Columns + """

        where status = 'published'
          and (@Sex::text is null or sex = @Sex)
          and (@Ethnicity::text is null or ethnicity = @Ethnicity)
          and (@Accent::text is null or strpos(accent, @Accent) > 0)
          and (@AgeFrom::int is null or coalesce(age_high, age_low) >= @AgeFrom)
          and (@AgeTo::int is null or coalesce(age_low, age_high) <= @AgeTo)
          and (@HeightFrom::int is null or height_cm >= @HeightFrom)
          and (@HeightTo::int is null or height_cm <= @HeightTo)
          and (@Build::text is null or build = @Build)
          and (@Region::text is null or left(found_county, length(@Region)) = @Region)
          and (@FoundFrom::date is null or found_on >= @FoundFrom::date)
          and (@FoundTo::date is null or found_on <= @FoundTo::date)
          and (@AfterAt::timestamptz is null or published_at < @AfterAt or (published_at = @AfterAt and id > @AfterId))
        order by published_at desc, id
        limit @Take
        """;

    private const string SelectOne = Columns + """

        where id = @Id and status = 'published'
        """;

    private const string SelectPhoto = """
        select p.id, p.content_key_id, p.content_sealed
        from notices n join photos p on p.id = n.photo_id
        where n.id = @Id and n.status = 'published'
        """;

    public async Task<PublicNoticePage> PageAsync(PublicNoticeFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<NoticeRow>(new CommandDefinition(SelectPage, new
        {
            filter.Sex, filter.Ethnicity, filter.Accent, filter.AgeFrom, filter.AgeTo, filter.HeightFrom, filter.HeightTo,
            filter.Build, filter.Region,
            FoundFrom = filter.FoundFrom?.ToDateTime(TimeOnly.MinValue),
            FoundTo = filter.FoundTo?.ToDateTime(TimeOnly.MinValue),
            AfterAt = filter.After?.PublishedAt,
            AfterId = filter.After?.Id,
            Take = filter.Limit + 1,
        }, cancellationToken: cancellationToken))).ToList();
        var items = rows.Take(filter.Limit).Select(Public).ToList();
        return new PublicNoticePage(items, rows.Count > filter.Limit ? PublicNoticeFilter.CursorOf(items[^1]) : null);
    }

    public async Task<PublicNotice?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<NoticeRow>(new CommandDefinition(SelectOne, new { Id = id },
            cancellationToken: cancellationToken));
        return row is null ? null : Public(row);
    }

    public async Task<byte[]?> PhotoAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<PhotoRow>(new CommandDefinition(SelectPhoto, new { Id = id },
            cancellationToken: cancellationToken));
        return row is null ? null : photos.Open(new PhotoStore.SealedPhoto(row.ContentKeyId, row.ContentSealed), row.Id);
    }

    private PublicNotice Public(NoticeRow row)
    {
        var details = NoticeDetails.Open(protector, row.DetailsKeyId, row.DetailsSealed, row.Id);
        return new PublicNotice(
            row.Id, details.Name, row.Sex, row.AgeLow, row.AgeHigh, row.HeightCm, row.Build, row.Ethnicity, row.Accent,
            details.Health, details.MentalState, details.Features, details.Clothing,
            row.FoundOn is { } foundOn ? DateOnly.FromDateTime(foundOn) : null, details.FoundPlace, row.FoundCounty,
            details.Contact, new DateTimeOffset(DateTime.SpecifyKind(row.PublishedAt, DateTimeKind.Utc)), row.HasPhoto);
    }

    private sealed class NoticeRow
    {
        public Guid Id { get; init; }
        public string Sex { get; init; } = "unknown";
        public int? AgeLow { get; init; }
        public int? AgeHigh { get; init; }
        public int? HeightCm { get; init; }
        public string? Build { get; init; }
        public string? Ethnicity { get; init; }
        public string? Accent { get; init; }
        public DateTime? FoundOn { get; init; }
        public string? FoundCounty { get; init; }
        public DateTime PublishedAt { get; init; }
        public string? DetailsKeyId { get; init; }
        public byte[]? DetailsSealed { get; init; }
        public bool HasPhoto { get; init; }
    }

    private sealed record PhotoRow(Guid Id, string ContentKeyId, byte[] ContentSealed);
}
