using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AddressBook.Api.Data;

public static class PersonInsertExtensions
{
    // A client-chosen id bypasses the serial sequence; moving the sequence past every stored id keeps later generated ids
    // clear of it. GREATEST with last_value keeps a concurrent explicit insert from moving the sequence back.
    private const string MoveIdSequencePastStoredIdsSql = """
        SELECT setval('"People_id_seq"', GREATEST((SELECT max(id) FROM "People"), (SELECT last_value FROM "People_id_seq")))
        """;

    public static async Task InsertWithGeneratedIdAsync(this AddressBookDbContext db, Person person, CancellationToken cancellationToken)
    {
        db.People.Add(person);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.IsPrimaryKeyViolation())
        {
            // An explicit-id insert may have taken the id drawn here just before moving the sequence past it;
            // a second draw is clear of it.
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <exception cref="DbUpdateException">The id is taken; <see cref="IsPrimaryKeyViolation"/> tells this case apart.</exception>
    public static Task InsertWithExplicitIdAsync(this AddressBookDbContext db, Person person, CancellationToken cancellationToken)
    {
        return db.Database.CreateExecutionStrategy().ExecuteAsync(async retryCancellationToken =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(retryCancellationToken);
            db.People.Add(person);
            // Changes are accepted only after the commit, so a retry after a transient failure inserts the row again.
            await db.SaveChangesAsync(acceptAllChangesOnSuccess: false, retryCancellationToken);
            await db.Database.ExecuteSqlRawAsync(MoveIdSequencePastStoredIdsSql, retryCancellationToken);
            await transaction.CommitAsync(retryCancellationToken);
            db.ChangeTracker.AcceptAllChanges();
        }, cancellationToken);
    }

    public static bool IsPrimaryKeyViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: PersonConfiguration.PrimaryKeyName };
}
