using System.Net;
using System.Net.Http.Json;
using AddressBook.Hosting;
using AddressBook.Hosting.ApplicationModel;
using AddressBook.Hosting.Testing;
using AddressBook.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AddressBook.Tests;

/// <summary>The API as pm2 ran it: several replicas behind one address, restarted, replaced and reloaded without failing requests.</summary>
public sealed class ReplicaTests
{
    [Fact]
    public async Task Requests_on_one_keep_alive_connection_are_spread_over_every_replica()
    {
        await using var app = await StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = app.GetEndpoint(ResourceNames.Api) };

        for (var i = 0; i < 40; i++)
        {
            using var response = await client.GetAsync("/alive");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var api = await app.WaitForStateAsync(ResourceNames.Api, s => s.Replicas.All(r => r.RequestsServed > 0));
        Assert.Equal(4, api.Snapshot.Replicas.Length);
        Assert.Equal(4, api.Snapshot.Replicas.Select(r => r.InstanceId).Distinct().Count());
    }

    [Fact]
    public async Task A_killed_replica_loses_no_acknowledged_write_and_comes_back()
    {
        await using var app = await StartAsync();
        await using var load = ApiLoad.Start(app.GetEndpoint(ResourceNames.Api), app.ReadWriteKey(), workers: 8);
        await load.WaitForSuccessesAsync(200);
        var victim = app.ResourceNotifications.TryGetCurrentState(ResourceNames.Api)!.Replicas[1];

        Assert.True(OsProcesses.Signal(victim.ProcessId!.Value, "KILL"));
        var back = await app.WaitForStateAsync(ResourceNames.Api, s =>
            s.Replicas[1].ProcessId is { } pid && pid != victim.ProcessId && s.Replicas[1].HealthStatus == HealthStatus.Healthy);
        await load.WaitForSuccessesAsync(200);
        await load.StopAsync();

        Assert.True(back.Snapshot.Replicas[1].RestartCount >= 1);
        // Only requests in flight on the killed replica may fail: at most one per client.
        Assert.True(load.Failures.Count <= 8, string.Join("; ", load.Failures));
        await AssertAllStoredAsync(app, load.AcknowledgedIds);
    }

    [Fact]
    public async Task A_rolling_restart_under_load_replaces_every_replica_without_a_failed_request()
    {
        await using var app = await StartAsync();
        await using var load = ApiLoad.Start(app.GetEndpoint(ResourceNames.Api), app.ReadWriteKey(), workers: 8);
        await load.WaitForSuccessesAsync(200);
        var before = app.ResourceNotifications.TryGetCurrentState(ResourceNames.Api)!.Replicas.Select(r => r.ProcessId).ToList();

        await app.ResourceCommands.ExecuteCommandAsync(ResourceNames.Api, KnownResourceCommands.Restart);
        await load.WaitForSuccessesAsync(200);
        await load.StopAsync();

        var after = app.ResourceNotifications.TryGetCurrentState(ResourceNames.Api)!.Replicas.Select(r => r.ProcessId).ToList();
        Assert.Empty(before.Intersect(after));
        Assert.Empty(load.Failures);
        await AssertAllStoredAsync(app, load.AcknowledgedIds);
    }

    [Fact]
    public async Task A_replica_over_its_memory_limit_is_replaced_without_a_failed_request()
    {
        // Every replica uses more than this from the start, so each is replaced, again and again.
        await using var app = await StartAsync(["--Replicas:api=2"], builder =>
            builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == ResourceNames.Api))
                .WithMemoryLimit(megabytes: 8, sustainedFor: TimeSpan.FromSeconds(1)));
        await using var load = ApiLoad.Start(app.GetEndpoint(ResourceNames.Api), app.ReadWriteKey(), workers: 4);

        await app.WaitForStateAsync(ResourceNames.Api, s => s.RestartCount >= 3);
        // Replicas here live about a second each, and a fresh one answers its first requests slowly on a busy machine:
        // what counts is that requests keep succeeding across further replacements, never that many do.
        var restartsBefore = app.ResourceNotifications.TryGetCurrentState(ResourceNames.Api)!.RestartCount;
        await load.WaitForSuccessesAsync(20, TimeSpan.FromMinutes(2));
        await app.WaitForStateAsync(ResourceNames.Api, s => s.RestartCount > restartsBefore);
        await load.WaitForSuccessesAsync(1, TimeSpan.FromMinutes(2));
        await load.StopAsync();

        Assert.Empty(load.Failures);
        Assert.Contains(app.ResourceLogs.GetTail(ResourceNames.Api), line => line.Text.Contains("over the 8 MiB limit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_replica_that_crashes_at_every_start_backs_off_then_fails_while_the_rest_serves()
    {
        await using var app = await StartAsync(["--Replicas:api=1"], builder =>
            // Without its connection string the API refuses to start, every time.
            builder.AddProject<Projects.Api>("crasher").WithRestartPolicy(maxRestarts: 3, initialBackoff: TimeSpan.FromMilliseconds(50)));

        var crasher = await app.WaitForStateAsync("crasher", s => s.IsTerminal);

        Assert.Equal(KnownResourceStates.FailedToStart, crasher.Snapshot.State);
        Assert.Equal(3, crasher.Snapshot.RestartCount);
        Assert.NotEqual(0, crasher.Snapshot.ExitCode);
        var restarts = app.ResourceLogs.GetTail("crasher").Where(l => l.Text.StartsWith("[apphost]", StringComparison.Ordinal)).Select(l => l.Text).ToList();
        Assert.Collection(restarts,
            line => Assert.Contains("restarting in 50 ms (1 of 3)", line, StringComparison.Ordinal),
            line => Assert.Contains("restarting in 100 ms (2 of 3)", line, StringComparison.Ordinal),
            line => Assert.Contains("restarting in 200 ms (3 of 3)", line, StringComparison.Ordinal),
            line => Assert.Contains("not restarted again", line, StringComparison.Ordinal));
        using var api = app.CreateApiClient();
        using var response = await api.GetAsync("/persons/all");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task While_postgres_is_killed_the_api_answers_503_and_recovers_with_every_acknowledged_write()
    {
        await using var app = await StartAsync(["--Replicas:api=2"]);
        await using var load = ApiLoad.Start(app.GetEndpoint(ResourceNames.Api), app.ReadWriteKey(), workers: 6);
        await load.WaitForSuccessesAsync(100);
        var postgres = app.ResourceNotifications.TryGetCurrentState(ResourceNames.Postgres)!;

        Assert.True(OsProcesses.Signal(postgres.ProcessId!.Value, "KILL"));
        using var unavailable = await load.FirstUnavailable.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await app.WaitForStateAsync(ResourceNames.Postgres, s => s.RestartCount >= 1 && s.HealthStatus == HealthStatus.Healthy);
        await load.WaitForSuccessesAsync(200);
        await load.StopAsync();

        Assert.Equal("application/problem+json", unavailable.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(unavailable.Headers.RetryAfter);
        Assert.All(load.StatusCounts.Keys, status => Assert.Contains(status, new[] { 200, 201, 503 }));
        Assert.All(load.Failures, failure => Assert.EndsWith("503", failure, StringComparison.Ordinal));
        await AssertAllStoredAsync(app, load.AcknowledgedIds);
    }

    private static async Task<DistributedApplication> StartAsync(string[]? args = null, Action<IDistributedApplicationTestingBuilder>? configure = null)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(args);
        configure?.Invoke(builder);
        var app = await builder.BuildAsync();
        await app.StartResourcesAsync(ResourceNames.Api);
        return app;
    }

    private static async Task AssertAllStoredAsync(DistributedApplication app, IReadOnlyCollection<int> acknowledged)
    {
        var connectionString = (await app.GetConnectionStringAsync(ResourceNames.Database))!;
        var stored = await Database.ScalarAsync<long>(connectionString, """SELECT count(*) FROM "People" WHERE id = ANY($1)""", acknowledged.ToArray());
        Assert.NotEmpty(acknowledged);
        Assert.Equal(acknowledged.Count, stored);
    }
}
