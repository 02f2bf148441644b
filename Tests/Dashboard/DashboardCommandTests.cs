using System.Net;
using System.Net.Http.Json;
using AddressBook.Hosting;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests.Dashboard;

/// <summary>
/// The resources page's actions, sent to the dashboard's API as the page sends them: a replica and a whole resource
/// stopped and started, the replicated API restarted one replica at a time, and a finished worker run again.
/// Each test leaves every resource as it found it, for the others sharing the app.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardCommandTests(DashboardAppFixture fixture)
{
    private const string Stop = KnownResourceCommands.Stop;
    private const string Start = KnownResourceCommands.Start;
    private const string Restart = KnownResourceCommands.Restart;

    [Fact]
    public async Task A_replica_stopped_then_started_comes_back_as_a_new_process_while_the_other_serves()
    {
        var before = await WaitForAsync(ResourceNames.Api, AllHealthy, "every API replica healthy");
        var replica = before.Replicas[1];
        Assert.Equal([Stop, Restart], replica.Commands);

        await CommandAsync(replica.Name, Stop);
        var stopped = await WaitForAsync(ResourceNames.Api, r => r.Replicas[1].State == KnownResourceStates.Finished, $"{replica.Name} stopped");

        Assert.Null(stopped.Replicas[1].ProcessId);
        Assert.Equal([Start], stopped.Replicas[1].Commands);
        Assert.Equal(KnownResourceStates.Running, stopped.State);
        Assert.Equal([Stop, Start, Restart], stopped.Commands);
        for (var i = 0; i < 5; i++)
        {
            using var response = await fixture.Api.GetAsync("/api/contacts?limit=1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await CommandAsync(replica.Name, Start);
        var started = await WaitForAsync(ResourceNames.Api, AllHealthy, $"{replica.Name} healthy again");

        Assert.NotNull(started.Replicas[1].ProcessId);
        Assert.NotEqual(replica.ProcessId, started.Replicas[1].ProcessId);
        Assert.Equal(before.Replicas[0].ProcessId, started.Replicas[0].ProcessId);
        Assert.Equal([Stop, Restart], started.Replicas[1].Commands);
    }

    [Fact]
    public async Task The_api_stopped_answers_503_on_its_endpoint_and_serves_again_once_started()
    {
        var before = await WaitForAsync(ResourceNames.Api, AllHealthy, "every API replica healthy");

        await CommandAsync(ResourceNames.Api, Stop);
        var stopped = await WaitForAsync(ResourceNames.Api, r => r.State == KnownResourceStates.Finished, "the API stopped");

        Assert.All(stopped.Replicas, r => Assert.Null(r.ProcessId));
        Assert.Equal([Start], stopped.Commands);
        using (var refused = await fixture.Api.GetAsync("/api/contacts?limit=1"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        await CommandAsync(ResourceNames.Api, Start);
        var started = await WaitForAsync(ResourceNames.Api, AllHealthy, "the API healthy again");

        Assert.Equal(KnownResourceStates.Running, started.State);
        Assert.Empty(before.Replicas.Select(r => r.ProcessId).Intersect(started.Replicas.Select(r => r.ProcessId)));
        using var served = await fixture.Api.GetAsync("/api/contacts?limit=1");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task A_rolling_restart_replaces_every_api_replica_without_a_failed_request()
    {
        var before = await WaitForAsync(ResourceNames.Api, AllHealthy, "every API replica healthy");
        await using var load = ApiLoad.Start(fixture.App.GetEndpoint(ResourceNames.Api), fixture.App.ReadWriteKey(), workers: 2);
        await load.WaitForSuccessesAsync(20);

        // The answer comes once every replica has been replaced.
        var restarted = await CommandAsync(ResourceNames.Api, Restart);
        await load.WaitForSuccessesAsync(20);
        await load.StopAsync();

        Assert.Empty(before.Replicas.Select(r => r.ProcessId).Intersect(restarted.Replicas.Select(r => r.ProcessId)));
        Assert.Empty(load.Failures);
        var after = await WaitForAsync(ResourceNames.Api, AllHealthy, "every API replica healthy after the restart");
        Assert.Equal(before.Replicas.Sum(r => r.RestartCount) + before.Replicas.Length, after.Replicas.Sum(r => r.RestartCount));
        Assert.Equal([Stop, Restart], after.Commands);
    }

    [Fact]
    public async Task A_finished_worker_offers_only_start_refuses_stop_and_restart_and_runs_again_when_started()
    {
        var finished = await WaitForAsync(ResourceNames.Migrations, r => r.State == KnownResourceStates.Finished, "the migrations finished");
        Assert.Equal([Start], finished.Commands);
        Assert.Equal([Start], Assert.Single(finished.Replicas).Commands);

        foreach (var refused in new[] { Stop, Restart })
        {
            using var response = await fixture.Client.PostAsync($"/api/resources/{ResourceNames.Migrations}/commands/{refused}", null);
            await ProblemAssertions.AssertProblemAsync(response, HttpStatusCode.Conflict);
        }

        await CommandAsync(ResourceNames.Migrations, Start);
        var again = await WaitForAsync(ResourceNames.Migrations,
            r => r.State == KnownResourceStates.Finished && r.StartedAt > finished.StartedAt, "the migrations run again to completion");

        Assert.Equal(0, again.ExitCode);
        Assert.Equal([Start], again.Commands);
    }

    private static bool AllHealthy(ResourceRow resource) =>
        resource.Replicas.All(r => r.State == KnownResourceStates.Running && r.Health == "Healthy" && r.ProcessId is not null);

    private async Task<ResourceRow> CommandAsync(string name, string command)
    {
        using var response = await fixture.Client.PostAsync($"/api/resources/{name}/commands/{command}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ResourceRow>())!;
    }

    private Task<ResourceRow> WaitForAsync(string name, Func<ResourceRow, bool> condition, string what) =>
        Dashboards.PollAsync(
            async () => (await fixture.Client.GetFromJsonAsync<ResourceRow[]>("/api/resources"))!.Single(r => r.Name == name),
            condition, what, TimeSpan.FromSeconds(90));

    private sealed record ResourceRow(string Name, string State, int? ExitCode, DateTimeOffset? StartedAt, ReplicaRow[] Replicas, string[] Commands);

    private sealed record ReplicaRow(string Name, string State, string? Health, int? ProcessId, int RestartCount, string[] Commands);
}
