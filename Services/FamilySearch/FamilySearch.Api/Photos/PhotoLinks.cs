using Relief.ServiceDefaults.Data;

namespace Relief.FamilySearch.Photos;

/// <summary>
/// A notice shows its case's newest photo. Uploading sets it on the case's open notices (<see cref="PhotoStore"/>); a
/// notice drafted for a case that already has a photo takes it with <see cref="ShowNewestPhoto"/>, in the unit of work
/// that inserts the notice (after the insert: a unit's statements run in order).
/// </summary>
public static class PhotoLinks
{
    /// <summary>The id of the case's newest photo (or null), as an expression on <c>@CaseId</c> to use in an insert's values.</summary>
    public const string NewestPhotoOfCase = """
        (select p.id from photos p where p.case_id = @CaseId order by p.uploaded_at desc, p.id desc limit 1)
        """;

    private const string SetNewestPhoto = """
        update notices n
        set photo_id = (select p.id from photos p where p.case_id = n.case_id order by p.uploaded_at desc, p.id desc limit 1)
        where n.id = @NoticeId and n.photo_id is null
        """;

    /// <summary>Gives the notice its case's newest photo, if the case has one and the notice has none yet.</summary>
    public static void ShowNewestPhoto(UnitOfWork unit, Guid noticeId) => unit.Write(SetNewestPhoto, new { NoticeId = noticeId });
}
