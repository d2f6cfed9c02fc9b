using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Relief.FamilySearch.Contracts;
using Relief.FamilySearch.Deadlines;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.FamilySearch.Notices;

/// <summary>
/// The notice's lifecycle: draft → in_review (submit) → published (approve, four eyes) or back to draft (return); any
/// open or published notice → withdrawn. Each change is one unit of work on the version the user saw: the notice, its
/// history entry, the deadlines it ends, its audit entry and its event — all or nothing. A state the action does not
/// leave from, or a version changed meanwhile, answers 409 with the notice's state now.
/// </summary>
public sealed class NoticeActions(NpgsqlDataSource db, UnitOfWorkFactory units, PersonalDataProtector protector, TimeProvider clock)
{
    private const string UpdateStatement = """
        update notices set version = version + 1, sex = @Sex, age_low = @AgeLow, age_high = @AgeHigh, height_cm = @HeightCm,
               build = @Build, ethnicity = @Ethnicity, accent = @Accent, found_on = @FoundOn, found_county = @FoundCounty,
               details_key_id = @DetailsKeyId, details_sealed = @DetailsSealed, updated_at = @Now
        where id = @Id and version = @Version and status in ('draft', 'in_review')
        """;

    private const string SubmitStatement = """
        update notices set status = 'in_review', version = version + 1, submitted_at = @Now, submitted_by = @By,
               submitted_by_name = @ByName, updated_at = @Now
        where id = @Id and version = @Version and status = 'draft'
        """;

    private const string ApproveStatement = """
        update notices set status = 'published', version = version + 1, approved_at = @Now, approved_by = @By,
               approved_by_name = @ByName, published_at = @Now, updated_at = @Now
        where id = @Id and version = @Version and status = 'in_review'
        """;

    private const string ReturnStatement = """
        update notices set status = 'draft', version = version + 1, updated_at = @Now
        where id = @Id and version = @Version and status = 'in_review'
        """;

    // By staff on the version they saw, or by the system on the status it read (a staff edit meanwhile changes nothing
    // the withdrawal depends on; a publication meanwhile would change what its event says).
    private const string WithdrawStatement = """
        update notices set status = 'withdrawn', version = version + 1, withdrawn_at = @Now, withdrawn_reason = @Reason, updated_at = @Now
        where id = @Id and (@Version::int is null or version = @Version) and status = @Status
        """;

    private static readonly Dictionary<string, string[]> LeavesFrom = new()
    {
        ["update"] = ["draft", "in_review"], ["submit"] = ["draft"], ["approve"] = ["in_review"], ["return"] = ["in_review"],
        ["withdraw"] = ["draft", "in_review", "published"],
    };

    public async Task<Results<Ok<NoticeView>, NotFound, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid id, UpdateNoticeRequest request, ReliefUser user, CancellationToken cancellationToken) =>
        await ApplyAsync(id, request.Version!.Value, "update", user, (unit, current, now) =>
        {
            var details = request.Details ?? new NoticeDetailsInput();
            var sealedDetails = new NoticeDetails(Clean(details.Name), Clean(details.Health), Clean(details.MentalState),
                Clean(details.Features), Clean(details.Clothing), Clean(details.FoundPlace), Clean(details.Contact)).Seal(protector, id);
            unit.WriteOne(UpdateStatement, new
            {
                Id = id, current.Version, Sex = request.Sex ?? "unknown", request.AgeLow, request.AgeHigh, request.HeightCm,
                request.Build, Ethnicity = Clean(request.Ethnicity), Accent = Clean(request.Accent), request.FoundOn, request.FoundCounty,
                DetailsKeyId = sealedDetails.KeyId, DetailsSealed = sealedDetails.Ciphertext, Now = now,
            });
            NoticeHistory.Note(unit, id, current.Version + 1, now, "edited", user);
            return null;
        }, cancellationToken);

    public async Task<Results<Ok<NoticeView>, NotFound, ProblemHttpResult, ValidationProblem>> SubmitAsync(
        Guid id, int version, ReliefUser user, CancellationToken cancellationToken) =>
        await ApplyAsync(id, version, "submit", user, (unit, current, now) =>
        {
            var missing = MissingForSubmission(current, NoticeDetails.Open(protector, current.DetailsKeyId, current.DetailsSealed, id));
            if (missing.Count > 0)
            {
                return TypedResults.ValidationProblem(missing, title: "公告尚不完整，不能提交审核 / the notice is not complete enough to submit");
            }

            unit.WriteOne(SubmitStatement, new { Id = id, current.Version, Now = now, By = user.Subject, ByName = user.DisplayName });
            NoticeHistory.Note(unit, id, current.Version + 1, now, "submitted", user);
            return null;
        }, cancellationToken);

    public async Task<Results<Ok<NoticeView>, NotFound, ProblemHttpResult, ValidationProblem>> ApproveAsync(
        Guid id, int version, ReliefUser user, CancellationToken cancellationToken) =>
        await ApplyAsync(id, version, "approve", user, (unit, current, now) =>
        {
            if (MayNotApprove(current, user) is { } refusal)
            {
                return refusal;
            }

            unit.WriteOne(ApproveStatement, new { Id = id, current.Version, Now = now, By = user.Subject, ByName = user.DisplayName });
            NoticeHistory.Note(unit, id, current.Version + 1, now, "approved", user);
            NoticeHistory.Note(unit, id, current.Version + 1, now, "published", user);
            FamilySearchDeadlines.Cancel(unit, FamilySearchDeadlines.Notice, id, now);
            AuditLog.Record(unit, user, new AuditEntry("approve_notice", AuditEntry.Succeeded, id.ToString()));
            AuditLog.Record(unit, user, new AuditEntry("publish_notice", AuditEntry.Succeeded, id.ToString()));
            unit.Publish(new NoticePublished
            {
                NoticeId = id, CaseId = current.CaseId, CountyCode = current.CountyCode, StationCounty = current.StationCounty,
                ArrivedAt = NoticeReading.Utc(current.ArrivedAt), At = now,
            });
            return null;
        }, cancellationToken);

    public async Task<Results<Ok<NoticeView>, NotFound, ProblemHttpResult, ValidationProblem>> ReturnAsync(
        Guid id, ReturnNoticeRequest request, ReliefUser user, CancellationToken cancellationToken) =>
        await ApplyAsync(id, request.Version!.Value, "return", user, (unit, current, now) =>
        {
            unit.WriteOne(ReturnStatement, new { Id = id, current.Version, Now = now });
            NoticeHistory.Note(unit, id, current.Version + 1, now, "returned", user,
                JsonSerializer.Serialize(new { comment = request.Comment!.Trim() }));
            AuditLog.Record(unit, user, new AuditEntry("return_notice", AuditEntry.Succeeded, id.ToString()));
            return null;
        }, cancellationToken);

    public async Task<Results<Ok<NoticeView>, NotFound, ProblemHttpResult, ValidationProblem>> WithdrawAsync(
        Guid id, WithdrawNoticeRequest request, ReliefUser user, CancellationToken cancellationToken) =>
        await ApplyAsync(id, request.Version!.Value, "withdraw", user, (unit, current, now) =>
        {
            Withdraw(unit, current, request.Reason!, request.Comment?.Trim(), user, now, checkVersion: true);
            return null;
        }, cancellationToken);

    /// <summary>
    /// Writes a withdrawal into the unit: the notice, its history, its deadlines ended, the audit entry and
    /// <see cref="NoticeWithdrawn"/>. For staff (on the version they saw) and for the system (on the status it read).
    /// </summary>
    public static void Withdraw(UnitOfWork unit, NoticeRow current, string reason, string? comment, ReliefUser by, DateTimeOffset now, bool checkVersion)
    {
        unit.WriteOne(WithdrawStatement, new
        {
            current.Id, Version = checkVersion ? current.Version : (int?)null, current.Status, Reason = reason, Now = now,
        });
        NoticeHistory.Note(unit, current.Id, current.Version + 1, now, "withdrawn", by,
            JsonSerializer.Serialize(new { reason, comment }));
        FamilySearchDeadlines.Cancel(unit, FamilySearchDeadlines.Notice, current.Id, now);
        AuditLog.Record(unit, by, new AuditEntry("withdraw_notice", AuditEntry.Succeeded, current.Id.ToString(), reason));
        unit.Publish(new NoticeWithdrawn
        {
            NoticeId = current.Id, CaseId = current.CaseId, CountyCode = current.CountyCode, StationCounty = current.StationCounty,
            Reason = reason, WasPublished = current.Status == "published", At = now,
        });
    }

    /// <summary>
    /// Four eyes (no supervisor role exists in Relief): a station staff member of the notice's station other than the one
    /// who submitted it, a county officer of the station's county, or the city administrator. Anyone else: 403.
    /// </summary>
    public static ProblemHttpResult? MayNotApprove(NoticeRow current, ReliefUser user)
    {
        if (user.Is(ReliefRoles.CityAdministrator))
        {
            return null;
        }

        if (user.Is(ReliefRoles.CountyOfficer) && user.County == current.StationCounty)
        {
            return null;
        }

        if (user.Is(ReliefRoles.StationStaff) && user.County == current.StationCounty && user.Subject != current.SubmittedBy)
        {
            return null;
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden,
            title: user.Is(ReliefRoles.StationStaff)
                ? "提交人不能审核自己提交的公告，请由站内另一名工作人员审核 / the one who submitted a notice may not approve it: another staff member of the station must"
                : "只有本站县的民政部门或市局可以审核 / only the station's county office or the city may approve it");
    }

    /// <summary>What a notice needs before review, naming each missing field as the PUT body names it.</summary>
    public static Dictionary<string, string[]> MissingForSubmission(NoticeRow notice, NoticeDetails details)
    {
        var missing = new Dictionary<string, string[]>();
        if (notice.Sex is not ("male" or "female"))
        {
            missing["sex"] = ["请填写性别 / the sex is required"];
        }

        if (notice.AgeLow is null)
        {
            missing["ageLow"] = ["请填写（估计）年龄下限 / the (estimated) age range is required"];
        }

        if (notice.AgeHigh is null)
        {
            missing["ageHigh"] = ["请填写（估计）年龄上限 / the (estimated) age range is required"];
        }

        if (notice.FoundOn is null)
        {
            missing["foundOn"] = ["请填写发现日期 / the date found is required"];
        }

        if (string.IsNullOrWhiteSpace(details.FoundPlace))
        {
            missing["details.foundPlace"] = ["请填写发现地点 / the place found is required"];
        }

        if (string.IsNullOrWhiteSpace(details.Contact))
        {
            missing["details.contact"] = ["请填写救助站联系方式 / the station's contact is required"];
        }

        if (string.IsNullOrWhiteSpace(details.Features) && string.IsNullOrWhiteSpace(details.Clothing))
        {
            string[] message = ["体貌特征或衣着至少填写一项 / features or clothing is required"];
            missing["details.features"] = message;
            missing["details.clothing"] = message;
        }

        return missing;
    }

    private delegate IResult? Change(UnitOfWork unit, NoticeRow current, DateTimeOffset now);

    private async Task<Results<Ok<NoticeView>, NotFound, ProblemHttpResult, ValidationProblem>> ApplyAsync(
        Guid id, int version, string action, ReliefUser user, Change change, CancellationToken cancellationToken)
    {
        NoticeRow? current;
        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            current = await NoticeReading.CurrentAsync(connection, user, id, cancellationToken);
        }

        if (current is null)
        {
            return TypedResults.NotFound();
        }

        if (current.Version != version || !LeavesFrom[action].Contains(current.Status))
        {
            return Conflict(current);
        }

        var unit = units.Begin();
        switch (change(unit, current, clock.GetUtcNow()))
        {
            case ValidationProblem problem:
                return problem;
            case ProblemHttpResult problem:
                return problem;
        }

        try
        {
            // Once sent, the change is let finish: a client gone away must not leave it half known.
            await unit.CommitAsync(CancellationToken.None);
        }
        catch (StaleVersionException)
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            var now = await NoticeReading.CurrentAsync(connection, user, id, cancellationToken);
            return now is null ? TypedResults.NotFound() : Conflict(now);
        }

        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            var view = await NoticeReading.ViewAsync(connection, user, id, protector, cancellationToken);
            return view is null ? TypedResults.NotFound() : TypedResults.Ok(view);
        }
    }

    /// <summary>409 with the notice's state as it is now (<c>currentStatus</c>, <c>version</c>).</summary>
    public static ProblemHttpResult Conflict(NoticeRow current) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "公告已是另一状态或已被他人修改，请重新读取 / the notice is in another state or was changed since you read it",
        detail: $"status: {current.Status}, version: {current.Version}",
        extensions: new Dictionary<string, object?> { ["currentStatus"] = current.Status, ["version"] = current.Version });

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
