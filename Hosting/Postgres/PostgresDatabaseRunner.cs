using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

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
        if (!database.Parent.ExistingDatabases.Contains(database.DatabaseName))
        {
            var create = await Psql.RunAsync(database.Parent, "postgres", $"CREATE DATABASE {Psql.Identifier(database.DatabaseName)}", cancellationToken).ConfigureAwait(false);
            // Created by someone else since the server listed its databases: just as good.
            if (!create.Succeeded && !create.AlreadyExists)
            {
                throw new DistributedApplicationException($"could not create database '{database.DatabaseName}': {create.Error}");
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
