using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace AddressBook.Hosting.Postgres;

/// <summary>Creates a database once its server accepts connections; an existing database is kept as it is.</summary>
internal sealed class PostgresDatabaseRunner(PostgresDatabaseResource database, RunnerContext context) : IResourceRunner
{
    public IResource Resource => database;

    public IEnumerable<string> Preflight() => [];

    public void AllocateEndpoints(PortAllocator ports)
    {
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var server = await context.Notifications.WaitForResourceAsync(
            database.Parent.Name,
            e => e.Snapshot.IsTerminal || (e.Snapshot.State == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy),
            cancellationToken).ConfigureAwait(false);
        if (server.Snapshot.IsTerminal)
        {
            throw new DistributedApplicationException($"its server '{database.Parent.Name}' is {server.Snapshot.State}.");
        }

        context.Notifications.PublishUpdate(database, s => s with { State = KnownResourceStates.Starting });
        var serverConnectionString = await database.Parent.GetConnectionStringAsync(cancellationToken).ConfigureAwait(false);
        await using (var connection = new NpgsqlConnection(serverConnectionString + ";Pooling=false;Database=postgres"))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
            exists.Parameters.Add(new NpgsqlParameter { Value = database.DatabaseName });
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                var quoted = "\"" + database.DatabaseName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
                await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
                try
                {
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
                {
                    // Created by someone else between the check and the create: just as good.
                }
            }
        }

        var endpoint = database.Parent.PrimaryEndpoint.AllocatedEndpoint!;
        context.Notifications.PublishUpdate(database, s => s with
        {
            State = KnownResourceStates.Running,
            HealthStatus = HealthStatus.Healthy,
            StartedAt = DateTimeOffset.UtcNow,
            Urls = [$"tcp://{endpoint.Host}:{endpoint.Port}/{database.DatabaseName}"],
        });
    }

    public Task StopAsync()
    {
        context.Notifications.PublishUpdate(database, s => s with { State = KnownResourceStates.Finished, HealthStatus = null, StoppedAt = DateTimeOffset.UtcNow });
        return Task.CompletedTask;
    }
}
