using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;

namespace Relief.FamilySearch.Notices;

/// <summary>A notice's history entries, written in the unit of the change they tell of.</summary>
public static class NoticeHistory
{
    private const string Insert = """
        insert into notice_history (notice_id, version, at, action, by, by_name, detail)
        values (@NoticeId, @Version, @At, @Action, @By, @ByName, @Detail::jsonb)
        """;

    public static void Note(UnitOfWork unit, Guid noticeId, int version, DateTimeOffset at, string action, ReliefUser by, string? detail = null) =>
        unit.Write(Insert, new { NoticeId = noticeId, Version = version, At = at, Action = action, By = by.Subject, ByName = by.DisplayName, Detail = detail });
}
