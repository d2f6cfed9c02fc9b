using Relief.ServiceDefaults.Data;

namespace Relief.FamilySearch.Photos;

/// <summary>
/// A notice shows its case's newest photo. Uploading sets it on the case's open notices (<see cref="PhotoStore"/>); a
/// notice drafted for a case that already has a photo takes it with <see cref="ShowNewestPhoto"/>, in the unit of work
/// that inserts the notice (after the insert: a unit's statements run in order).
/// </summary>
public static class PhotoLinks
{
    private const string SetNewestPhoto = """
        update notices n
        set photo_id = (select p.id from photos p where p.case_id = n.case_id order by p.uploaded_at desc, p.id desc limit 1)
        where n.id = @NoticeId and n.photo_id is null
        """;

    /// <summary>Gives the notice its case's newest photo, if the case has one and the notice has none yet.</summary>
    public static void ShowNewestPhoto(UnitOfWork unit, Guid noticeId) => unit.Write(SetNewestPhoto, new { NoticeId = noticeId });
}
