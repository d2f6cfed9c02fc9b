using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Relief.FamilySearch.Photos;
using Relief.IntegrationTests.Infrastructure;
using Relief.ServiceDefaults.Data;
using Relief.Testing;
using SkiaSharp;

namespace Relief.IntegrationTests.FamilySearch;

/// <summary>
/// Photos (issue 13): checked by what they are, kept as a JPEG Relief encoded itself — so nothing of the camera's metadata,
/// the GPS position above all, survives — sealed at rest, and seen only by staff in scope of the case.
/// </summary>
public sealed class PhotoTests(FamilySearchFixture fixture) : IClassFixture<FamilySearchFixture>
{
    private static string NewPoint() => $"FP-{Random.Shared.Next(100000, 999999)}";

    internal static async Task<HttpResponseMessage> UploadAsync(HttpClient client, Guid caseId, byte[] content, string fileName, string contentType)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        return await client.PostAsync(new Uri($"/api/family-search/cases/{caseId}/photos", UriKind.Relative), form);
    }

    internal static async Task<Guid> UploadedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("photoId").GetGuid();
    }

    private static async Task<string> FileErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return string.Join(" ", problem.GetProperty("errors").GetProperty("file").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task An_uploaded_photo_loses_its_exif_and_gps_is_turned_upright_and_is_still_a_jpeg()
    {
        var point = NewPoint();
        var caseId = await FamilySearchRows.CaseAsync(fixture.Service, "140821", point);
        var original = TestImages.WithExifGps(TestImages.RedBlueJpeg());
        // The test's own EXIF is one a decoder reads: the camera said "turn 90° clockwise".
        using (var codec = SKCodec.Create(new MemoryStream(original)))
        {
            Assert.Equal(SKEncodedOrigin.RightTop, codec.EncodedOrigin);
        }

        Assert.Contains((byte)0xE1, TestImages.SegmentMarkers(original));

        using var pointStaff = await fixture.Service.ClientForAsync(TestUsers.PointStaff(point, "140821"));
        using var uploaded = await UploadAsync(pointStaff, caseId, original, "IMG_0001.jpg", "image/jpeg");
        var photoId = await UploadedAsync(uploaded);

        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff("FP-STATION", "140821"));
        using var served = await station.GetAsync(new Uri($"/api/family-search/photos/{photoId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/jpeg", served.Content.Headers.ContentType?.MediaType);
        var kept = await served.Content.ReadAsByteArrayAsync();

        Assert.DoesNotContain((byte)0xE1, TestImages.SegmentMarkers(kept));
        Assert.Equal(-1, kept.AsSpan().IndexOf("Exif"u8));
        Assert.Equal(-1, kept.AsSpan().IndexOf("http://ns.adobe.com/xap/"u8));
        using var decoded = SKBitmap.Decode(kept);
        Assert.NotNull(decoded);
        // Upright: 32 wide and 64 high, the red (left) half now on top.
        Assert.Equal((32, 64), (decoded.Width, decoded.Height));
        Assert.True(decoded.GetPixel(16, 8).Red > 200 && decoded.GetPixel(16, 8).Blue < 60, "the top is red");
        Assert.True(decoded.GetPixel(16, 56).Blue > 200 && decoded.GetPixel(16, 56).Red < 60, "the bottom is blue");

        // At rest it is sealed: no JPEG in the table.
        var stored = await TestDatabase.ScalarAsync<byte[]>(fixture.Service.DatabaseConnectionString,
            "select content_sealed from photos where id = @photoId and case_id = @caseId", new { photoId, caseId });
        Assert.Equal(-1, stored.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]));
    }

    [Fact]
    public async Task A_png_is_accepted_and_kept_as_a_jpeg()
    {
        var point = NewPoint();
        var caseId = await FamilySearchRows.CaseAsync(fixture.Service, "140821", point);
        using var pointStaff = await fixture.Service.ClientForAsync(TestUsers.PointStaff(point, "140821"));

        // Named and typed as something else: the content decides.
        using var uploaded = await UploadAsync(pointStaff, caseId, TestImages.TransparentPng(), "photo.dat", "application/octet-stream");
        var photoId = await UploadedAsync(uploaded);

        var kept = await pointStaff.GetByteArrayAsync(new Uri($"/api/family-search/photos/{photoId}", UriKind.Relative));
        Assert.True(kept.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]), "a JPEG");
        using var decoded = SKBitmap.Decode(kept);
        Assert.Equal((40, 30), (decoded.Width, decoded.Height));
        // Transparency became white, as on paper.
        Assert.True(decoded.GetPixel(1, 1).Red > 240 && decoded.GetPixel(1, 1).Green > 240 && decoded.GetPixel(1, 1).Blue > 240);
    }

    [Fact]
    public async Task A_text_file_named_jpg_a_gif_a_missing_file_and_a_too_large_one_are_refused_naming_the_file_field()
    {
        var point = NewPoint();
        var caseId = await FamilySearchRows.CaseAsync(fixture.Service, "140821", point);
        using var pointStaff = await fixture.Service.ClientForAsync(TestUsers.PointStaff(point, "140821"));

        using (var text = await UploadAsync(pointStaff, caseId, "这不是照片"u8.ToArray(), "photo.jpg", "image/jpeg"))
        {
            Assert.Contains("not an image", await FileErrorAsync(text), StringComparison.Ordinal);
        }

        using (var gif = await UploadAsync(pointStaff, caseId, [.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0], "photo.gif", "image/gif"))
        {
            Assert.Contains("unsupported", await FileErrorAsync(gif), StringComparison.Ordinal);
        }

        // A JPEG's first bytes, and more than 8 MB.
        var huge = new byte[(8 * 1024 * 1024) + 1];
        TestImages.RedBlueJpeg().CopyTo(huge, 0);
        using (var tooLarge = await UploadAsync(pointStaff, caseId, huge, "big.jpg", "image/jpeg"))
        {
            Assert.Contains("too large", await FileErrorAsync(tooLarge), StringComparison.Ordinal);
        }

        using (var wrongField = new MultipartFormDataContent { { new ByteArrayContent(TestImages.RedBlueJpeg()), "photo", "a.jpg" } })
        using (var missing = await pointStaff.PostAsync(new Uri($"/api/family-search/cases/{caseId}/photos", UriKind.Relative), wrongField))
        {
            Assert.Contains("choose a photo", await FileErrorAsync(missing), StringComparison.Ordinal);
        }

        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(fixture.Service.DatabaseConnectionString,
            "select count(*) from photos where case_id = @caseId", new { caseId }));
    }

    [Fact]
    public async Task A_photo_claiming_more_than_40_megapixels_is_refused_before_it_is_decoded()
    {
        var point = NewPoint();
        var caseId = await FamilySearchRows.CaseAsync(fixture.Service, "140821", point);
        using var pointStaff = await fixture.Service.ClientForAsync(TestUsers.PointStaff(point, "140821"));
        // A tiny PNG whose header says 10000 × 5000: only the header is read.
        var png = TestImages.TransparentPng();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 10_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 5_000);
        var crc = TestImages.Crc32(png.AsSpan(12, 17));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), crc);

        using var refused = await UploadAsync(pointStaff, caseId, png, "bomb.png", "image/png");
        Assert.Contains("megapixels", await FileErrorAsync(refused), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staff_outside_the_cases_scope_find_neither_the_case_nor_its_photo_and_other_roles_are_forbidden()
    {
        var point = NewPoint();
        var caseId = await FamilySearchRows.CaseAsync(fixture.Service, "140823", point);
        using var pointStaff = await fixture.Service.ClientForAsync(TestUsers.PointStaff(point, "140823"));
        var photoId = await UploadedAsync(await UploadAsync(pointStaff, caseId, TestImages.RedBlueJpeg(), "a.jpg", "image/jpeg"));
        var photo = new Uri($"/api/family-search/photos/{photoId}", UriKind.Relative);

        using var otherStation = await fixture.Service.ClientForAsync(TestUsers.StationStaff("FP-OTHER", "140824"));
        Assert.Equal(HttpStatusCode.NotFound, (await otherStation.GetAsync(photo)).StatusCode);
        using var otherPoint = await fixture.Service.ClientForAsync(TestUsers.PointStaff(NewPoint(), "140823"));
        Assert.Equal(HttpStatusCode.NotFound, (await otherPoint.GetAsync(photo)).StatusCode);
        using (var upload = await UploadAsync(otherPoint, caseId, TestImages.RedBlueJpeg(), "a.jpg", "image/jpeg"))
        {
            Assert.Equal(HttpStatusCode.NotFound, upload.StatusCode);
        }

        using var otherCounty = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer("140824"));
        Assert.Equal(HttpStatusCode.NotFound, (await otherCounty.GetAsync(photo)).StatusCode);
        using var auditor = await fixture.Service.ClientForAsync(TestUsers.Auditor());
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.GetAsync(photo)).StatusCode);

        // In scope: the county's officer and the city; and the station of another county once it works a notice for the case.
        using var county = await fixture.Service.ClientForAsync(TestUsers.CountyOfficer("140823"));
        Assert.Equal(HttpStatusCode.OK, (await county.GetAsync(photo)).StatusCode);
        using var city = await fixture.Service.ClientForAsync(TestUsers.CityAdministrator());
        Assert.Equal(HttpStatusCode.OK, (await city.GetAsync(photo)).StatusCode);
        await FamilySearchRows.NoticeAsync(fixture.Service, new FamilySearchRows.Notice { CaseId = caseId, Status = "draft", PublishedAt = null });
        await TestDatabase.ExecuteAsync(fixture.Service.DatabaseConnectionString,
            "update notices set station_county = '140824' where case_id = @caseId", new { caseId });
        Assert.Equal(HttpStatusCode.OK, (await otherStation.GetAsync(photo)).StatusCode);
    }

    [Fact]
    public async Task A_new_photo_shows_on_the_cases_open_notice_and_a_notice_drafted_later_takes_the_newest()
    {
        // A case has one open notice at a time: one case with a draft, another with a published notice.
        var point = NewPoint();
        var caseId = await FamilySearchRows.CaseAsync(fixture.Service, "140821", point);
        var publishedCaseId = await FamilySearchRows.CaseAsync(fixture.Service, "140821", point);
        var draft = await FamilySearchRows.NoticeAsync(fixture.Service, new FamilySearchRows.Notice { CaseId = caseId, Status = "draft", PublishedAt = null });
        var published = await FamilySearchRows.NoticeAsync(fixture.Service, new FamilySearchRows.Notice { CaseId = publishedCaseId });
        using var pointStaff = await fixture.Service.ClientForAsync(TestUsers.PointStaff(point, "140821"));

        var first = await UploadedAsync(await UploadAsync(pointStaff, caseId, TestImages.RedBlueJpeg(), "a.jpg", "image/jpeg"));
        var newest = await UploadedAsync(await UploadAsync(pointStaff, caseId, TestImages.TransparentPng(), "b.png", "image/png"));
        await UploadedAsync(await UploadAsync(pointStaff, publishedCaseId, TestImages.RedBlueJpeg(), "c.jpg", "image/jpeg"));

        Assert.Equal(newest, await PhotoOfAsync(draft.Id));
        // A published notice keeps the photo it was approved with (none here).
        Assert.Null(await PhotoOfAsync(published.Id));
        Assert.NotEqual(first, newest);

        // The helper the notices' drafting calls, in its own unit of work, for a notice drafted after the photos (the
        // first one withdrawn: the person came back to the station later).
        await TestDatabase.ExecuteAsync(fixture.Service.DatabaseConnectionString,
            "update notices set status = 'withdrawn', withdrawn_at = now(), withdrawn_reason = 'left' where id = @Id", new { draft.Id });
        var later = await FamilySearchRows.NoticeAsync(fixture.Service, new FamilySearchRows.Notice { CaseId = caseId, Status = "draft", PublishedAt = null });
        var unit = fixture.Service.Services.GetRequiredService<UnitOfWorkFactory>().Begin();
        PhotoLinks.ShowNewestPhoto(unit, later.Id);
        await unit.CommitAsync(CancellationToken.None);
        Assert.Equal(newest, await PhotoOfAsync(later.Id));
    }

    [Fact]
    public async Task Notices_withdrawn_and_photos_taken_longer_ago_than_the_retention_period_lose_their_personal_data()
    {
        var point = NewPoint();
        using var pointStaff = await fixture.Service.ClientForAsync(TestUsers.PointStaff(point, "140821"));
        async Task<(Guid Case, Guid Photo, Guid Notice)> CaseWithNoticeAsync(string status)
        {
            var caseId = await FamilySearchRows.CaseAsync(fixture.Service, "140821", point);
            var photo = await UploadedAsync(await UploadAsync(pointStaff, caseId, TestImages.RedBlueJpeg(), "a.jpg", "image/jpeg"));
            var notice = await FamilySearchRows.NoticeAsync(fixture.Service,
                new FamilySearchRows.Notice { CaseId = caseId, Status = status, PhotoId = photo, PublishedAt = status == "published" ? DateTimeOffset.UtcNow : null });
            return (caseId, photo, notice.Id);
        }

        // Withdrawn four years ago; withdrawn last year; still out (its photo as old, but the search goes on).
        var old = await CaseWithNoticeAsync("withdrawn");
        var recent = await CaseWithNoticeAsync("withdrawn");
        var open = await CaseWithNoticeAsync("published");
        await TestDatabase.ExecuteAsync(fixture.Service.DatabaseConnectionString, """
            update notices set withdrawn_at = now() - interval '4 years', withdrawn_reason = 'left' where id = @Old;
            update notices set withdrawn_at = now() - interval '1 year', withdrawn_reason = 'left' where id = @Recent;
            update photos set uploaded_at = now() - interval '4 years' where id in (@OldPhoto, @OpenPhoto);
            """, new { Old = old.Notice, Recent = recent.Notice, OldPhoto = old.Photo, OpenPhoto = open.Photo });

        await fixture.Service.Services.GetRequiredService<Relief.FamilySearch.Retention.FamilySearchRetention>().AnonymiseExpiredAsync(CancellationToken.None);

        Assert.Equal("erased/kept/kept", await TestDatabase.ScalarAsync<string>(fixture.Service.DatabaseConnectionString, """
            select string_agg(case when details_sealed is null then 'erased' else 'kept' end, '/' order by array_position(@Ids, id))
            from notices where id = any(@Ids)
            """, new { Ids = new[] { old.Notice, recent.Notice, open.Notice } }));
        Assert.Equal("gone/kept/kept", await TestDatabase.ScalarAsync<string>(fixture.Service.DatabaseConnectionString, """
            select string_agg(case when p.id is null then 'gone' else 'kept' end, '/' order by n)
            from unnest(@Ids) with ordinality as wanted(id, n) left join photos p on p.id = wanted.id
            """, new { Ids = new[] { old.Photo, recent.Photo, open.Photo } }));
        // The erased notice still reads (its coarse items), without what it said of the person.
        using var station = await fixture.Service.ClientForAsync(TestUsers.StationStaff());
        using var erased = await station.GetAsync(new Uri($"/api/family-search/notices/{old.Notice}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        var body = await erased.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, body.GetProperty("details").GetProperty("features").ValueKind);
        Assert.Equal("male", body.GetProperty("sex").GetString());
    }

    private async Task<Guid?> PhotoOfAsync(Guid noticeId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(fixture.Service.DatabaseConnectionString);
        return await Dapper.SqlMapper.ExecuteScalarAsync<Guid?>(connection, "select photo_id from notices where id = @noticeId", new { noticeId });
    }
}
