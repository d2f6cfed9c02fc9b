using Relief.ServiceDefaults.Data;

namespace Relief.FamilySearch.Deadlines;

/// <summary>
/// Arms and ends deadlines inside the unit of work of the change that causes them (drafting a notice arms its 24 hours,
/// publishing ends them), so a deadline never outlives the state it watches and a restart loses none.
/// </summary>
public static class FamilySearchDeadlines
{
    public const string Notice = "notice";
    public const string PoliceRequest = "police_request";

    private const string Insert = """
        insert into deadlines (id, kind, subject_id, level, due_at) values (@Id, @Kind, @SubjectId, 1, @DueAt)
        """;

    private const string CancelOpen = """
        update deadlines set cancelled_at = @Now
        where kind = @Kind and subject_id = @SubjectId and fired_at is null and cancelled_at is null
        """;

    /// <summary>Arms the first level of a deadline.</summary>
    public static void Arm(UnitOfWork unit, string kind, Guid subjectId, DateTimeOffset dueAt) =>
        unit.Write(Insert, new { Id = Guid.CreateVersion7(), Kind = kind, SubjectId = subjectId, DueAt = dueAt });

    /// <summary>Ends the subject's open deadline: what it watched for is done.</summary>
    public static void Cancel(UnitOfWork unit, string kind, Guid subjectId, DateTimeOffset now) =>
        unit.Write(CancelOpen, new { Kind = kind, SubjectId = subjectId, Now = now });
}
