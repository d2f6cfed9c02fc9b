using Relief.FamilySearch.Contracts;

namespace Relief.Reporting.ReadModel;

/// <summary>
/// Family search's events in the read model (report_notices), for the consumers and the rebuild alike. Each event
/// inserts the notice if it is the first to arrive (events of one notice may come in any order) and sets only what it
/// knows; applying one twice changes nothing.
/// </summary>
public static class NoticeHandlers
{
    private const string Drafted = """
        insert into report_notices (notice_id, case_id, county_code, station_county, arrived_at, due_at)
        values (@NoticeId, @CaseId, @CountyCode, @StationCounty, @ArrivedAt, @DueAt)
        on conflict (notice_id) do update set arrived_at = excluded.arrived_at, due_at = excluded.due_at
        """;

    private const string Published = """
        insert into report_notices (notice_id, case_id, county_code, station_county, arrived_at, published_at)
        values (@NoticeId, @CaseId, @CountyCode, @StationCounty, @ArrivedAt, @At)
        on conflict (notice_id) do update set
            arrived_at = coalesce(report_notices.arrived_at, excluded.arrived_at),
            published_at = coalesce(report_notices.published_at, excluded.published_at)
        """;

    private const string Withdrawn = """
        insert into report_notices (notice_id, case_id, county_code, station_county, withdrawn_at, withdrawn_reason)
        values (@NoticeId, @CaseId, @CountyCode, @StationCounty, @At, @Reason)
        on conflict (notice_id) do update set withdrawn_at = excluded.withdrawn_at, withdrawn_reason = excluded.withdrawn_reason
        """;

    private const string Overdue = """
        insert into report_notices (notice_id, case_id, county_code, station_county, due_at, overdue_level)
        values (@NoticeId, @CaseId, @CountyCode, @StationCounty, @DueAt, @Level)
        on conflict (notice_id) do update set overdue_level = greatest(report_notices.overdue_level, excluded.overdue_level)
        """;

    public static void Apply(IReadModelWrites writes, NoticeDrafted message) =>
        writes.Write(Drafted, new { message.NoticeId, message.CaseId, message.CountyCode, message.StationCounty, message.ArrivedAt, message.DueAt });

    public static void Apply(IReadModelWrites writes, NoticePublished message) =>
        writes.Write(Published, new { message.NoticeId, message.CaseId, message.CountyCode, message.StationCounty, message.ArrivedAt, message.At });

    public static void Apply(IReadModelWrites writes, NoticeWithdrawn message) =>
        writes.Write(Withdrawn, new { message.NoticeId, message.CaseId, message.CountyCode, message.StationCounty, message.At, message.Reason });

    public static void Apply(IReadModelWrites writes, NoticeOverdue message) =>
        writes.Write(Overdue, new { message.NoticeId, message.CaseId, message.CountyCode, message.StationCounty, message.DueAt, message.Level });
}
