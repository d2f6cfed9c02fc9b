using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Relief.Identity.Contracts;
using Relief.Identity.Storage;
using Relief.ServiceDefaults.Data;

namespace Relief.Identity.Offices;

/// <summary>
/// Every change of an office is committed together with its announcement, <see cref="OfficeChanged"/>, as a row of the
/// shared outbox in the same transaction: the relay publishes it after the commit, so a crash neither loses an
/// announcement nor makes one up. EF Core saves the office; the outbox row goes through the same connection and
/// transaction (<see cref="UnitOfWork.CommitAsync(NpgsqlTransaction, CancellationToken)"/>), as in every other service.
/// </summary>
public sealed class OfficeChanges(IdentityDb db, UnitOfWorkFactory units, TimeProvider clock)
{
    /// <summary>Begins a change; the transaction is committed (and ended) by <see cref="CommitAsync"/>, rolled back if disposed before.</summary>
    public Task<IDbContextTransaction> BeginAsync(CancellationToken cancellationToken) =>
        db.Database.BeginTransactionAsync(cancellationToken);

    /// <summary>
    /// The office, its row locked until the transaction ends: two changes of one office take turns, so each gets a
    /// version of its own and the later one is announced with the higher.
    /// </summary>
    public async Task<Office?> LockAsync(string code, CancellationToken cancellationToken) =>
        (await db.Offices.FromSql($"select * from offices where code = {code} for update").ToListAsync(cancellationToken))
        .SingleOrDefault();

    /// <summary>Saves what changed of <paramref name="office"/> (or its creation) as its next version, announced, and commits.</summary>
    public Task CommitAsync(IDbContextTransaction transaction, Office office, CancellationToken cancellationToken)
    {
        office.ChangedAt = clock.GetUtcNow();
        return AnnounceAndCommitAsync(transaction, [office], cancellationToken);
    }

    /// <summary>
    /// Announces every office never announced (version 0) — all of them at the first start after announcements began, the
    /// seeded city bureau at the first start of all — so copies elsewhere start complete. Once: they are version 1 after.
    /// Returns how many were announced.
    /// </summary>
    public async Task<int> AnnounceUnannouncedAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await BeginAsync(cancellationToken);
        var unannounced = await db.Offices.FromSql($"select * from offices where version = 0 order by code for update")
            .ToListAsync(cancellationToken);
        if (unannounced.Count > 0)
        {
            // Their last change stays as it was (ChangedAt): being announced does not change an office.
            await AnnounceAndCommitAsync(transaction, unannounced, cancellationToken);
        }

        return unannounced.Count;
    }

    private async Task AnnounceAndCommitAsync(IDbContextTransaction transaction, IReadOnlyList<Office> offices, CancellationToken cancellationToken)
    {
        var unit = units.Begin();
        foreach (var office in offices)
        {
            office.Version++;
            unit.Publish(Announcement(office));
        }

        await db.SaveChangesAsync(cancellationToken);
        // Writes the outbox rows in EF's transaction and commits it: the offices and their announcements, or nothing.
        await unit.CommitAsync((NpgsqlTransaction)transaction.GetDbTransaction(), cancellationToken);
        // Committed underneath EF: ended here, so the context's next save (the audit entry) does not run in it.
        await transaction.DisposeAsync();
    }

    /// <summary>The office's whole current state; it names no person.</summary>
    public static OfficeChanged Announcement(Office office) => new()
    {
        Code = office.Code,
        Name = office.Name,
        Kind = office.Kind,
        CountyCode = office.CountyCode,
        Active = office.DeactivatedAt is null,
        Version = office.Version,
        ChangedAt = office.ChangedAt,
    };
}
