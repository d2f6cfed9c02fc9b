using System.Buffers.Binary;
using System.Data.Common;
using Dapper;
using Npgsql;
using Relief.Intake.Contracts;
using Relief.ServiceDefaults.Audit;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Authentication;
using Relief.ServiceDefaults.Telemetry;

namespace Relief.Registry.Persons;

/// <summary>
/// The writes of the register of persons. Each reads before it writes (which record holds this identity document, which
/// records look alike), so each runs in a transaction of its own rather than a batched unit of work.
/// </summary>
public sealed partial class PersonRegister(NpgsqlDataSource db, TimeProvider clock, ILogger<PersonRegister> logger)
{
    private const string InboxName = "registry.case-registered";

    /// <summary>
    /// Links a registered case to its person: the open record holding the same identity document, else a new record,
    /// with the records that look alike proposed to staff as candidates. False when the message was handled before.
    /// </summary>
    public async Task<bool> RecordCaseAsync(Guid messageId, CaseRegistered registered, CasePerson? person, CancellationToken cancellationToken)
    {
        var hashes = person?.IdNumberHashes.Select(Convert.FromBase64String).ToArray() ?? [];
        var activeHash = person?.IdNumberHash is { } hash ? Convert.FromBase64String(hash) : null;
        var name = person?.Name;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        Guid? existing;
        // First round trip: the inbox row (a concurrent redelivery waits on it, then finds it), the locks, the record
        // that already holds this identity document.
        await using (var first = new NpgsqlBatch(connection, transaction))
        {
            first.Add("insert into inbox_messages (message_id, consumer) values (@messageId, @InboxName) on conflict do nothing returning 1",
                new { messageId, InboxName });
            // Two cases of one new person at once: the second waits here, then finds the first's record. Two first visits
            // of lookalikes likewise: the second's candidate search then sees the first. Hash before name: one order.
            // (A placeholder where there is nothing to lock on, so the results keep their places.)
            first.Add(activeHash is null ? "select 1" : "select pg_advisory_xact_lock(@Key)",
                new { Key = activeHash is null ? 0 : BinaryPrimitives.ReadInt64BigEndian(activeHash) });
            first.Add(name is null ? "select 1" : "select pg_advisory_xact_lock(hashtextextended(@Name, 0))", new { Name = name ?? "" });
            first.Add("select id from persons where id_number_hash = any(@Hashes) and merged_into is null", new { Hashes = hashes });
            await using var results = await first.ExecuteReaderAsync(cancellationToken);
            if (!await results.ReadAsync(cancellationToken))
            {
                return false; // handled before: the transaction rolls back
            }

            await results.NextResultAsync(cancellationToken);
            await results.NextResultAsync(cancellationToken);
            await results.NextResultAsync(cancellationToken);
            existing = await results.ReadAsync(cancellationToken) ? results.GetGuid(0) : null;
        }

        var personId = existing ?? Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var facts = new
        {
            PersonId = personId,
            registered.CaseId,
            registered.CountyCode,
            registered.ServicePointCode,
            Channel = registered.Channel.ToString(),
            Need = registered.Need.ToString(),
            registered.RegisteredAt,
            Name = name,
            Sex = person?.Sex ?? registered.Sex.ToString(),
            BirthDate = person?.BirthDate,
            EstimatedAge = (short?)(person?.EstimatedAge ?? registered.EstimatedAge),
            HouseholdRegion = person?.HouseholdRegion,
            IdNumberHash = activeHash,
            IdNumberMasked = person?.IdNumberMasked,
            LinkedBy = existing is null ? "new" : "id_number",
            Now = now,
            TraceId = ReliefTelemetry.CurrentTraceId,
        };

        // Second round trip: the record (new, or what was unknown of it filled in), the case, and — for a new record with
        // a name — the open records with the same name, to score as candidates. Every statement returns rows, so each
        // has its result set in the reader (Npgsql passes over those of statements that return none).
        var lookalikes = new List<PersonTraits>();
        await using (var second = new NpgsqlBatch(connection, transaction))
        {
            second.Add(existing is null
                ? """
                  insert into persons (id, first_case_id, county_code, service_point_code, sex, estimated_age, recorded_at, trace_id,
                                       name, birth_date, household_region, id_number_hash, id_number_masked)
                  values (@PersonId, @CaseId, @CountyCode, @ServicePointCode, @Sex, @EstimatedAge, @Now, @TraceId,
                          @Name, @BirthDate, @HouseholdRegion, @IdNumberHash, @IdNumberMasked)
                  returning 1
                  """
                : """
                  update persons set name = coalesce(name, @Name), birth_date = coalesce(birth_date, @BirthDate),
                                     household_region = coalesce(household_region, @HouseholdRegion),
                                     sex = case when sex = 'Unknown' then @Sex else sex end
                  where id = @PersonId
                  returning 1
                  """, facts);
            second.Add("""
                insert into person_cases (case_id, person_id, county_code, service_point_code, channel, need, registered_at, name, sex,
                                          birth_date, estimated_age, household_region, id_number_hash, id_number_masked, linked_by, linked_at)
                values (@CaseId, @PersonId, @CountyCode, @ServicePointCode, @Channel, @Need, @RegisteredAt, @Name, @Sex,
                        @BirthDate, @EstimatedAge, @HouseholdRegion, @IdNumberHash, @IdNumberMasked, @LinkedBy, @Now)
                returning 1
                """, facts);
            if (existing is null && name is not null)
            {
                second.Add($"{SelectTraits} where name = @Name and merged_into is null and id <> @PersonId limit 200", facts);
                await using var results = await second.ExecuteReaderAsync(cancellationToken);
                await results.NextResultAsync(cancellationToken);
                await results.NextResultAsync(cancellationToken);
                var parser = results.GetRowParser<PersonTraits>();
                while (await results.ReadAsync(cancellationToken))
                {
                    lookalikes.Add(parser(results));
                }
            }
            else
            {
                await second.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        var candidates = await ProposeCandidatesAsync(connection, transaction, new PersonTraits
        {
            Id = personId, Name = name, Sex = facts.Sex, BirthDate = facts.BirthDate, EstimatedAge = facts.EstimatedAge,
            HouseholdRegion = facts.HouseholdRegion, CountyCode = facts.CountyCode, HasIdNumber = activeHash is not null,
            RecordedAt = now.UtcDateTime,
        }, lookalikes, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogLinked(logger, registered.CaseId, personId, facts.LinkedBy, candidates);
        return true;
    }

    private const string SelectTraits = """
        select id, name, sex, birth_date, estimated_age, household_region, county_code, id_number_hash is not null as has_id_number, recorded_at
        from persons
        """;

    /// <summary>The lookalikes that score as the same person, recorded as candidates for staff (one round trip, or none).</summary>
    private async Task<int> ProposeCandidatesAsync(NpgsqlConnection connection, DbTransaction transaction, PersonTraits person,
        IReadOnlyList<PersonTraits> lookalikes, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction)transaction);
        foreach (var other in lookalikes)
        {
            var (score, reasons) = PersonMatching.Score(person, other, today);
            if (score >= PersonMatching.CandidateThreshold)
            {
                // A pair decided before (rejected, split) keeps its decision: on conflict, nothing.
                batch.Add("""
                    insert into person_links (person_id, other_id, score, reasons, status, created_at)
                    values (least(@A, @B), greatest(@A, @B), @Score, @Reasons, 'candidate', @Now)
                    on conflict do nothing
                    """, new { A = person.Id, B = other.Id, Score = score, Reasons = reasons, Now = clock.GetUtcNow() });
            }
        }

        return batch.BatchCommands.Count == 0 ? 0 : await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Brings a case's person up to date after 补充登记: the case's snapshot, and what the record did not know yet. An
    /// identity document learnt later that another open record already holds makes the two a candidate pair for staff —
    /// never a merge by itself. False when the message was handled before.
    /// </summary>
    public async Task<bool> RefreshCaseAsync(Guid messageId, CasePerson person, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var fresh = await connection.ExecuteAsync(new CommandDefinition(
            "insert into inbox_messages (message_id, consumer) values (@messageId, 'registry.case-updated') on conflict do nothing",
            new { messageId }, transaction, cancellationToken: cancellationToken));
        var personId = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "select person_id from person_cases where case_id = @CaseId", new { person.CaseId }, transaction, cancellationToken: cancellationToken));
        if (fresh == 0)
        {
            return false;
        }

        if (personId is null)
        {
            // Not on the register yet: its CaseRegistered, still on the way, reads the person as it is now.
            await transaction.CommitAsync(cancellationToken);
            return true;
        }

        var hashes = person.IdNumberHashes.Select(Convert.FromBase64String).ToArray();
        var facts = new
        {
            person.CaseId, PersonId = personId, person.Name, person.Sex, person.BirthDate, EstimatedAge = (short?)person.EstimatedAge,
            person.HouseholdRegion, IdNumberHash = person.IdNumberHash is { } hash ? Convert.FromBase64String(hash) : null,
            person.IdNumberMasked, Hashes = hashes, Now = clock.GetUtcNow(),
        };
        var holder = hashes.Length == 0 ? null : await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "select id from persons where id_number_hash = any(@Hashes) and merged_into is null", facts, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            update person_cases set name = @Name, sex = @Sex, birth_date = @BirthDate, estimated_age = @EstimatedAge,
                                    household_region = @HouseholdRegion, id_number_hash = @IdNumberHash, id_number_masked = @IdNumberMasked
            where case_id = @CaseId;
            update persons set name = coalesce(name, @Name), birth_date = coalesce(birth_date, @BirthDate),
                               household_region = coalesce(household_region, @HouseholdRegion),
                               sex = case when sex = 'Unknown' then @Sex else sex end
            where id = @PersonId;
            """, facts, transaction, cancellationToken: cancellationToken));
        if (holder is null && facts.IdNumberHash is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update persons set id_number_hash = @IdNumberHash, id_number_masked = @IdNumberMasked where id = @PersonId and id_number_hash is null",
                facts, transaction, cancellationToken: cancellationToken));
        }
        else if (holder is { } other && other != personId)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into person_links (person_id, other_id, score, reasons, status, created_at)
                values (least(@PersonId, @Other), greatest(@PersonId, @Other), 1.0, '{same_id_number}', 'candidate', @Now)
                on conflict do nothing
                """, new { facts.PersonId, Other = other, facts.Now }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Staff confirm a candidate: the later record merges into the earlier, its cases with it.</summary>
    public async Task<LinkDecision> ConfirmAsync(Guid personId, Guid otherId, ReliefUser user, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var pair = await LockPairAsync(connection, transaction, personId, otherId, cancellationToken);
        if (pair is null)
        {
            return LinkDecision.NotACandidate;
        }

        var (keep, gone) = pair.Value;
        if (keep.IdNumberHash is not null && gone.IdNumberHash is not null)
        {
            return LinkDecision.TwoIdentityDocuments;
        }

        var now = clock.GetUtcNow();
        var parameters = new { Keep = keep.Id, Gone = gone.Id, Now = now, By = user.Subject };
        await connection.ExecuteAsync(new CommandDefinition("""
            update person_cases set person_id = @Keep, linked_by = 'confirmed', linked_at = @Now where person_id = @Gone;
            update persons set merged_into = @Keep, merged_at = @Now where id = @Gone;
            -- The identity document follows its cases; the unique index sees the gone record's copy closed first.
            update persons set id_number_hash = coalesce(persons.id_number_hash, g.id_number_hash),
                               id_number_masked = coalesce(persons.id_number_masked, g.id_number_masked),
                               name = coalesce(persons.name, g.name), birth_date = coalesce(persons.birth_date, g.birth_date),
                               household_region = coalesce(persons.household_region, g.household_region)
            from persons g where persons.id = @Keep and g.id = @Gone;
            update persons set id_number_hash = null where id = @Gone;
            update person_links set status = 'confirmed', decided_by = @By, decided_at = @Now
            where person_id = least(@Keep, @Gone) and other_id = greatest(@Keep, @Gone);
            -- What was decided about the gone record holds for the record it joined: a rejected or split pair stays apart.
            insert into person_links (person_id, other_id, score, reasons, status, created_at, decided_by, decided_at)
            select least(@Keep, x.other), greatest(@Keep, x.other), l.score, l.reasons, l.status, l.created_at, l.decided_by, l.decided_at
            from person_links l
            cross join lateral (select case when l.person_id = @Gone then l.other_id else l.person_id end as other) x
            where (l.person_id = @Gone or l.other_id = @Gone) and l.status in ('rejected', 'split') and x.other <> @Keep
            on conflict (person_id, other_id) do update set status = excluded.status, decided_by = excluded.decided_by,
                decided_at = excluded.decided_at;
            -- Open candidates of the gone record are withdrawn: its cases are judged with the record they joined.
            update person_links set status = 'withdrawn', decided_at = @Now
            where (person_id = @Gone or other_id = @Gone) and status = 'candidate';
            """, parameters, transaction, cancellationToken: cancellationToken));
        await AuditLog.RecordAsync(connection, transaction, user, new AuditEntry("merge_persons", AuditEntry.Succeeded, $"{gone.Id} → {keep.Id}"), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return LinkDecision.Done(keep.Id);
    }

    /// <summary>Staff reject a candidate: the pair is never proposed again.</summary>
    public async Task<LinkDecision> RejectAsync(Guid personId, Guid otherId, ReliefUser user, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await LockPairAsync(connection, transaction, personId, otherId, cancellationToken) is null)
        {
            return LinkDecision.NotACandidate;
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            update person_links set status = 'rejected', decided_by = @By, decided_at = @Now
            where person_id = least(@personId, @otherId) and other_id = greatest(@personId, @otherId)
            """, new { personId, otherId, By = user.Subject, Now = clock.GetUtcNow() }, transaction, cancellationToken: cancellationToken));
        await AuditLog.RecordAsync(connection, transaction, user, new AuditEntry("reject_person_candidate", AuditEntry.Succeeded, $"{personId} ≠ {otherId}"), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return LinkDecision.Done(personId);
    }

    /// <summary>
    /// Staff split cases off a wrongly linked record into a new one. The pair is recorded as split: no candidate and no
    /// later case puts them together again by itself.
    /// </summary>
    public async Task<SplitOutcome> SplitAsync(Guid personId, IReadOnlyCollection<Guid> caseIds, ReliefUser user, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var person = await connection.QuerySingleOrDefaultAsync<PersonTraits>(new CommandDefinition(
            $"{SelectTraits} where id = @personId and merged_into is null for update", new { personId }, transaction, cancellationToken: cancellationToken));
        if (person is null)
        {
            return SplitOutcome.NotFound;
        }

        var cases = (await connection.QueryAsync<SplitCase>(new CommandDefinition(
            "select case_id, id_number_hash from person_cases where person_id = @personId order by registered_at",
            new { personId }, transaction, cancellationToken: cancellationToken))).AsList();
        var leaving = cases.Where(c => caseIds.Contains(c.CaseId)).ToList();
        if (leaving.Count != caseIds.Count || leaving.Count == cases.Count)
        {
            return SplitOutcome.NotASubset;
        }

        var newId = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var first = leaving[0].CaseId;
        var staying = cases.Except(leaving).ToList();
        var personHash = await connection.ExecuteScalarAsync<byte[]?>(new CommandDefinition(
            "select id_number_hash from persons where id = @personId", new { personId }, transaction, cancellationToken: cancellationToken));
        // The identity document goes with the cases that carry it; if both sides do, it stays where it was.
        var hashLeaves = personHash is not null && leaving.Any(c => c.IdNumberHash?.SequenceEqual(personHash) == true)
            && !staying.Any(c => c.IdNumberHash?.SequenceEqual(personHash) == true);
        var parameters = new { personId, newId, first, CaseIds = caseIds.ToArray(), Now = now, HashLeaves = hashLeaves, By = user.Subject, TraceId = ReliefTelemetry.CurrentTraceId };
        await connection.ExecuteAsync(new CommandDefinition("""
            update persons set id_number_hash = case when @HashLeaves then null else id_number_hash end,
                               id_number_masked = case when @HashLeaves then null else id_number_masked end
            where id = @personId;
            insert into persons (id, first_case_id, county_code, service_point_code, sex, estimated_age, recorded_at, trace_id,
                                 name, birth_date, household_region, id_number_hash, id_number_masked)
            select @newId, c.case_id, c.county_code, c.service_point_code, c.sex, c.estimated_age, @Now, @TraceId,
                   c.name, c.birth_date, c.household_region,
                   case when @HashLeaves then c.id_number_hash end, case when @HashLeaves then c.id_number_masked end
            from person_cases c where c.case_id = @first;
            update person_cases set person_id = @newId, linked_by = 'split', linked_at = @Now where case_id = any(@CaseIds);
            insert into person_links (person_id, other_id, score, reasons, status, created_at, decided_by, decided_at)
            values (least(@personId, @newId), greatest(@personId, @newId), 0, '{}', 'split', @Now, @By, @Now);
            """, parameters, transaction, cancellationToken: cancellationToken));
        await AuditLog.RecordAsync(connection, transaction, user, new AuditEntry("split_person", AuditEntry.Succeeded, $"{personId} → {newId}"), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return SplitOutcome.Done(newId);
    }

    /// <summary>Locks both open records of a candidate pair; null when they are not an open candidate pair.</summary>
    private static async Task<(LockedPerson Keep, LockedPerson Gone)?> LockPairAsync(
        NpgsqlConnection connection, DbTransaction transaction, Guid personId, Guid otherId, CancellationToken cancellationToken)
    {
        var persons = (await connection.QueryAsync<LockedPerson>(new CommandDefinition("""
            select p.id, p.id_number_hash, p.recorded_at from persons p
            where p.id in (@personId, @otherId) and p.merged_into is null
              and exists (select 1 from person_links l where l.person_id = least(@personId, @otherId)
                          and l.other_id = greatest(@personId, @otherId) and l.status = 'candidate')
            order by p.recorded_at, p.id
            for update
            """, new { personId, otherId }, transaction, cancellationToken: cancellationToken))).AsList();
        return persons.Count == 2 ? (persons[0], persons[1]) : null;
    }

    private sealed class LockedPerson
    {
        public Guid Id { get; init; }
        public byte[]? IdNumberHash { get; init; }
        public DateTime RecordedAt { get; init; }
    }

    private sealed class SplitCase
    {
        public Guid CaseId { get; init; }
        public byte[]? IdNumberHash { get; init; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId} linked to person {PersonId} ({LinkedBy}); {Candidates} candidate(s) proposed")]
    private static partial void LogLinked(ILogger logger, Guid caseId, Guid personId, string linkedBy, int candidates);
}

public sealed record LinkDecision(bool Succeeded, Guid? PersonId, string? Problem)
{
    public static readonly LinkDecision NotACandidate = new(false, null, "not_a_candidate");
    public static readonly LinkDecision TwoIdentityDocuments = new(false, null, "two_identity_documents");

    public static LinkDecision Done(Guid personId) => new(true, personId, null);
}

public sealed record SplitOutcome(bool Succeeded, Guid? NewPersonId, string? Problem)
{
    public static readonly SplitOutcome NotFound = new(false, null, "not_found");
    public static readonly SplitOutcome NotASubset = new(false, null, "not_a_subset");

    public static SplitOutcome Done(Guid newPersonId) => new(true, newPersonId, null);
}
