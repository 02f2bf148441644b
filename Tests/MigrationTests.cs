using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AddressBook.Hosting;
using AddressBook.Hosting.Postgres;
using AddressBook.Hosting.Testing;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests;

/// <summary>The migration worker against databases in the states users bring: tutorial-era, contended, broken.</summary>
public sealed class MigrationTests
{
    [Fact]
    public async Task An_existing_tutorial_database_is_adopted_in_place()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>();
        var database = builder.Resources.OfType<PostgresDatabaseResource>().Single();
        builder.Eventing.Subscribe<ResourceReadyEvent>(database, async (_, ct) =>
        {
            // The table exactly as the tutorial's Sequelize model created it, with its rows.
            var connectionString = (await database.GetConnectionStringAsync(ct))!;
            await Database.ExecuteAsync(connectionString, """
                CREATE TABLE "People" (
                    "id" SERIAL, "firstName" VARCHAR(255) NOT NULL, "lastName" VARCHAR(255),
                    "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                    PRIMARY KEY ("id"));
                INSERT INTO "People" ("firstName", "lastName", "createdAt", "updatedAt") VALUES
                    ('John', 'Doe', '2020-01-01T10:00:00Z', '2020-01-01T10:00:00Z'),
                    ('Jane', 'Roe', '2020-01-02T10:00:00Z', '2020-01-02T10:00:00Z'),
                    ('Max', NULL, '2020-01-03T10:00:00Z', '2020-01-03T10:00:00Z');
                """);
        });

        await using var app = await builder.BuildAsync();
        await app.StartResourcesAsync(ResourceNames.Api);
        var connection = (await app.GetConnectionStringAsync(ResourceNames.Database))!;
        using var api = app.CreateApiClient();

        Assert.Equal(3L, await Database.CountPeopleAsync(connection));
        var jane = await api.GetFromJsonAsync<JsonElement>("/persons/2");
        Assert.Equal("Roe", jane.GetProperty("lastName").GetString());
        Assert.Equal(new DateTimeOffset(2020, 1, 2, 10, 0, 0, TimeSpan.Zero), jane.GetProperty("createdAt").GetDateTimeOffset());

        using var created = await api.PutAsJsonAsync("/persons", new { firstName = "New", lastName = "Comer" });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(4, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
        Assert.True(await Database.ScalarAsync<long>(connection, """SELECT count(*) FROM "__EFMigrationsHistory" """) >= 1);

        // The rows from before the words table was made have their words in it: a typo finds them.
        Assert.Equal(
            ["comer", "doe", "jane", "john", "max", "new", "roe"],
            await Database.ScalarAsync<string[]>(connection, """SELECT array_agg(word ORDER BY word) FROM "SearchWords" """));
        var typo = await api.GetFromJsonAsync<JsonElement>("/api/contacts?q=janee");
        Assert.Equal([2], ContactsApi.Ids(typo));
    }

    [Fact]
    public async Task Two_migration_workers_at_once_both_succeed_and_apply_each_migration_once()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>();
        var database = builder.CreateResourceBuilder(builder.Resources.OfType<PostgresDatabaseResource>().Single());
        builder.AddProject<Projects.MigrationService>("migrations-2").WithReference(database).WaitFor(database);

        await using var app = await builder.BuildAsync();
        await app.StartResourcesAsync(ResourceNames.Api);
        var first = await app.WaitForStateAsync(ResourceNames.Migrations, s => s.IsTerminal);
        var second = await app.WaitForStateAsync("migrations-2", s => s.IsTerminal);

        Assert.Equal((KnownResourceStates.Finished, 0), (first.Snapshot.State, first.Snapshot.ExitCode));
        Assert.Equal((KnownResourceStates.Finished, 0), (second.Snapshot.State, second.Snapshot.ExitCode));
        var connection = (await app.GetConnectionStringAsync(ResourceNames.Database))!;
        var duplicates = await Database.ScalarAsync<long>(connection,
            """SELECT count(*) - count(DISTINCT "MigrationId") FROM "__EFMigrationsHistory" """);
        Assert.Equal(0L, duplicates);
    }

    [Fact]
    public async Task A_current_schema_is_left_alone_and_a_missing_migration_is_applied_on_the_next_run()
    {
        // Idempotent, so the worker may apply it again once its history row is gone.
        const string reappliable = "20261202000001_TypoSearchCost";
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>();
        await using var app = await builder.BuildAsync();
        await app.StartResourcesAsync(ResourceNames.Api);
        // The first run found no history table, and asking whether it exists left no error in the server's log.
        Assert.DoesNotContain(app.ResourceLogs.GetTail(ResourceNames.Postgres), line => line.Text.Contains("ERROR:", StringComparison.Ordinal));
        var connection = (await app.GetConnectionStringAsync(ResourceNames.Database))!;
        const string historySql = """SELECT string_agg("MigrationId", ',' ORDER BY "MigrationId") FROM "__EFMigrationsHistory" """;
        var history = await Database.ScalarAsync<string>(connection, historySql);
        Assert.Contains(reappliable, history);

        var current = await RunMigrationsAgainAsync(app);
        Assert.Equal((KnownResourceStates.Finished, 0), (current.State, current.ExitCode));
        Assert.Equal(history, await Database.ScalarAsync<string>(connection, historySql));

        await Database.ExecuteAsync(connection, $"""DELETE FROM "__EFMigrationsHistory" WHERE "MigrationId" = '{reappliable}'""");
        var repaired = await RunMigrationsAgainAsync(app);
        Assert.Equal((KnownResourceStates.Finished, 0), (repaired.State, repaired.ExitCode));
        Assert.Equal(history, await Database.ScalarAsync<string>(connection, historySql));
        var outcomes = app.ResourceLogs.GetTail(ResourceNames.Migrations)
            .Select(line => line.Text)
            .Where(text => text.Contains("up to date", StringComparison.Ordinal) || text.Contains("Applied", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(3, outcomes.Count);
        Assert.Contains("The database schema is up to date; nothing to do.", outcomes[1]);
        Assert.Contains($"Applied 1 migration(s): {reappliable}.", outcomes[2]);
    }

    private static async Task<ResourceSnapshot> RunMigrationsAgainAsync(DistributedApplication app)
    {
        var finished = await app.WaitForStateAsync(ResourceNames.Migrations, s => s.IsTerminal);
        await app.ResourceCommands.ExecuteCommandAsync(ResourceNames.Migrations, KnownResourceCommands.Start);
        var again = await app.WaitForStateAsync(ResourceNames.Migrations, s => s.IsTerminal && s.StartedAt > finished.Snapshot.StartedAt);
        return again.Snapshot;
    }

    [Fact]
    public async Task A_failing_migration_keeps_the_api_from_starting_and_is_reported()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>();
        var database = builder.Resources.OfType<PostgresDatabaseResource>().Single();
        builder.Eventing.Subscribe<ResourceReadyEvent>(database, async (_, ct) =>
        {
            // A migration history table of the wrong shape: the worker cannot read it, so it must fail.
            var connectionString = (await database.GetConnectionStringAsync(ct))!;
            await Database.ExecuteAsync(connectionString, """CREATE TABLE "__EFMigrationsHistory" ("Unexpected" int)""");
        });

        await using var app = await builder.BuildAsync();
        await app.StartAsync();
        var api = await app.WaitForStateAsync(ResourceNames.Api, s => s.IsTerminal);
        var migrations = app.ResourceNotifications.TryGetCurrentState(ResourceNames.Migrations)!;

        Assert.Equal(KnownResourceStates.Exited, migrations.State);
        Assert.NotEqual(0, migrations.ExitCode);
        Assert.Equal(KnownResourceStates.FailedToStart, api.Snapshot.State);
        Assert.Contains(ResourceNames.Migrations, api.Snapshot.FailureReason);
        Assert.Null(api.Snapshot.StartedAt);
        Assert.Contains(app.ResourceLogs.GetTail(ResourceNames.Migrations), line => line.Text.Contains("MigrationId", StringComparison.Ordinal));
        await Assert.ThrowsAsync<DistributedApplicationException>(() => app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Api));
    }
}
