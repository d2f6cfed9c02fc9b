using Dapper;
using Npgsql;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.FamilySearch.Photos;

/// <summary>
/// Keeps photos sealed in PostgreSQL and finds them for the staff whose scope the photo's case is in: point staff of the
/// point that registered it, station staff and county officers of its county — or of the county of the station working a
/// notice for it (a person referred to another county's station) — and the city.
/// </summary>
public sealed class PhotoStore(NpgsqlDataSource db, UnitOfWorkFactory units, PersonalDataProtector protector, TimeProvider clock)
{
    /// <summary>Who may see a case's photos, as a predicate on <c>cases c</c> (the fragments are constants; values parameters).</summary>
    private static readonly string CaseInScope =
        "(" + DataScope.Predicate(new ScopeColumns(County: "c.county_code", ServicePoint: "c.service_point_code", ReceivingStationCounty: "c.county_code"))
        + $" or ((@ScopeRole = '{ReliefRoles.StationStaff}' and @ScopeOfficeKind = '{OfficeKinds.ReliefStation}'"
        + $" or @ScopeRole = '{ReliefRoles.CountyOfficer}' and @ScopeOfficeKind = '{OfficeKinds.CountyOffice}')"
        + " and exists (select 1 from notices n where n.case_id = c.case_id and n.station_county = @ScopeCounty)))";

    private static readonly string SelectCaseInScope = $"select c.case_id from cases c where c.case_id = @CaseId and {CaseInScope}";

    private static readonly string SelectPhotoInScope = $"""
        select p.content_key_id, p.content_sealed
        from photos p join cases c on c.case_id = p.case_id
        where p.id = @PhotoId and {CaseInScope}
        """;

    private const string InsertPhoto = """
        insert into photos (id, case_id, content_key_id, content_sealed, width, height, uploaded_at, uploaded_by, uploaded_by_name)
        values (@Id, @CaseId, @KeyId, @Sealed, @Width, @Height, @UploadedAt, @UploadedBy, @UploadedByName)
        """;

    /// <summary>
    /// The new photo is its case's newest: the notices still being written show it. A published notice keeps the photo it
    /// was approved with — a new face on the public page would bypass the four-eyes approval.
    /// </summary>
    private const string ShowOnOpenNotices = """
        update notices set photo_id = @Id, updated_at = @UploadedAt
        where case_id = @CaseId and status in ('draft', 'in_review')
        """;

    public async Task<bool> CaseInScopeAsync(Guid caseId, ReliefUser user, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(SelectCaseInScope,
            DataScope.Parameters(user, new { CaseId = caseId }), cancellationToken: cancellationToken)) is not null;
    }

    public async Task<Guid> KeepAsync(Guid caseId, ProcessedPhoto photo, ReliefUser user, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        var sealedPhoto = protector.SealBytes(photo.Jpeg, id);
        var now = clock.GetUtcNow();
        var unit = units.Begin();
        unit.Write(InsertPhoto, new
        {
            Id = id, CaseId = caseId, sealedPhoto.KeyId, Sealed = sealedPhoto.Ciphertext, photo.Width, photo.Height,
            UploadedAt = now, UploadedBy = user.Subject, UploadedByName = user.DisplayName,
        });
        unit.Write(ShowOnOpenNotices, new { Id = id, CaseId = caseId, UploadedAt = now });
        AuditLog.Record(unit, user, new AuditEntry("familysearch.photo.upload", AuditEntry.Succeeded, id.ToString()));
        await unit.CommitAsync(cancellationToken);
        return id;
    }

    /// <summary>The photo as JPEG bytes, or null when there is none or its case is outside the user's scope.</summary>
    public async Task<byte[]?> FindAsync(Guid photoId, ReliefUser user, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SealedPhoto>(new CommandDefinition(SelectPhotoInScope,
            DataScope.Parameters(user, new { PhotoId = photoId }), cancellationToken: cancellationToken));
        return row is null ? null : Open(row, photoId);
    }

    public byte[] Open(SealedPhoto row, Guid photoId) =>
        protector.OpenBytes(new SealedValue(row.ContentKeyId, row.ContentSealed), photoId);

    public sealed record SealedPhoto(string ContentKeyId, byte[] ContentSealed);
}
