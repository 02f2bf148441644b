using System.Data;
using System.Diagnostics;
using System.Reflection;
using AddressBook.Api.Data;
using AddressBook.MigrationService.Migrations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace AddressBook.MigrationService;

/// <summary>
/// Brings the database schema up to date, then stops the application: exit code 0 when the schema is current, 1 when
/// it could not be made so.
/// </summary>
public sealed class Worker(
    IServiceScopeFactory scopeFactory,
    IHostApplicationLifetime lifetime,
    ILogger<Worker> logger) : BackgroundService
{
    public const string ActivitySourceName = "AddressBook.MigrationService";

    // Any fixed key serves, as long as every migration worker takes the same one; these are the ASCII bytes of "AddrBook".
    private const long MigrationLockKey = 0x41646472426F6F6B;

    private static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var activity = ActivitySource.StartActivity("Migrate database");
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AddressBookDbContext>();

            await db.Database.CreateExecutionStrategy()
                .ExecuteAsync(cancellationToken => MigrateUnderLockAsync(db, activity, cancellationToken), stoppingToken);
        }
        catch (Exception exception)
        {
            activity?.AddException(exception);
            activity?.SetStatus(ActivityStatusCode.Error);
            logger.LogError(exception, "Migrating the database failed.");
            Environment.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task MigrateUnderLockAsync(AddressBookDbContext db, Activity? activity, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // Session-level, so it spans the transactions MigrateAsync opens: a worker started alongside waits here,
            // then finds nothing left to do.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
            try
            {
                var baselined = await BaselineTutorialTableAsync(db, cancellationToken);
                var pendingMigrations = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                if (pendingMigrations.Count > 0)
                {
                    // Migrating also diffs the whole model against the snapshot, the slowest part of a start
                    // when the schema is already current.
                    await db.Database.MigrateAsync(cancellationToken);
                }

                activity?.SetTag("addressbook.migrations.baselined", baselined);
                activity?.SetTag("addressbook.migrations.applied", pendingMigrations.Count);
                LogOutcome(baselined, pendingMigrations);
            }
            finally
            {
                // A broken connection has already lost the lock along with its session.
                if (db.Database.GetDbConnection().State == ConnectionState.Open)
                {
                    await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// A database the tutorial created has the "People" table but no migration history. Recording InitialCreate as
    /// applied, instead of running it, keeps the rows, and new ids continue from the table's own sequence.
    /// </summary>
    private static async Task<bool> BaselineTutorialTableAsync(AddressBookDbContext db, CancellationToken cancellationToken)
    {
        // Created up front, EF Core's own look-ups find the history table instead of failing (and logging) on a new database.
        var history = db.GetService<IHistoryRepository>();
        await history.CreateIfNotExistsAsync(cancellationToken);

        var initialCreate = typeof(InitialCreate).GetCustomAttribute<MigrationAttribute>()!.Id;
        var appliedMigrations = await history.GetAppliedMigrationsAsync(cancellationToken);
        if (appliedMigrations.Any(migration => migration.MigrationId == initialCreate)
            || !await PeopleTableExistsAsync(db, cancellationToken))
        {
            return false;
        }

        await db.Database.ExecuteSqlRawAsync(
            history.GetInsertScript(new HistoryRow(initialCreate, ProductInfo.GetVersion())),
            cancellationToken);

        return true;
    }

    private static Task<bool> PeopleTableExistsAsync(AddressBookDbContext db, CancellationToken cancellationToken) =>
        db.Database
            .SqlQuery<bool>($"""SELECT to_regclass('"People"') IS NOT NULL AS "Value" """)
            .SingleAsync(cancellationToken);

    private void LogOutcome(bool baselined, IReadOnlyList<string> appliedMigrations)
    {
        if (baselined)
        {
            logger.LogInformation("Adopted the existing tutorial table \"People\" with its rows: recorded the initial migration as applied.");
        }

        if (appliedMigrations.Count > 0)
        {
            logger.LogInformation(
                "Applied {MigrationCount} migration(s): {Migrations}.",
                appliedMigrations.Count,
                string.Join(", ", appliedMigrations));
        }
        else if (!baselined)
        {
            logger.LogInformation(AppliedMigrations.UpToDateMessage);
        }
    }
}
