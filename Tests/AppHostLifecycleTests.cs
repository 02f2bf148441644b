using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using AddressBook.Hosting;
using AddressBook.Hosting.Testing;
using AddressBook.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AddressBook.Tests;

/// <summary>Starting and stopping the app host the ways users do, and what it leaves behind.</summary>
public sealed class AppHostLifecycleTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly DirectoryInfo _stateDirectory = CreateStateDirectory();

    [Fact]
    public async Task Disposing_the_app_stops_every_process_and_removes_ephemeral_data()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>();
        var app = await builder.BuildAsync();
        await app.StartResourcesAsync(ResourceNames.Api);
        var processes = app.ResourceNotifications.GetCurrentStates()
            .SelectMany(s => s.Replicas.Select(r => r.ProcessId).Append(s.ProcessId)).OfType<int>().Distinct()
            .SelectMany(pid => OsProcesses.DescendantsOf(pid).Prepend(pid)).ToList();
        var stateRoot = app.Services.GetRequiredService<AppHostState>().Root;
        Assert.NotEmpty(processes);
        Assert.True(Directory.Exists(stateRoot));

        await app.DisposeAsync();

        Assert.Empty(processes.Where(OsProcesses.IsAlive).Select(OsProcesses.CommandLineOf));
        Assert.False(Directory.Exists(stateRoot));
    }

    [Fact]
    public async Task Ctrl_C_stops_the_app_host_and_every_child()
    {
        await using var host = AppHostProcess.Start($"--AppHost:StateDirectory={_stateDirectory.FullName}", "--AppHost:RandomizePorts=true");
        await host.WaitForLineAsync(line => line.Contains("Distributed application started", StringComparison.Ordinal), Timeout);
        var children = OsProcesses.DescendantsOf(host.Pid);
        Assert.Contains(children, pid => OsProcesses.CommandLineOf(pid).Contains("postgres", StringComparison.Ordinal));
        var replicas = children.Where(pid => OsProcesses.CommandLineOf(pid).Contains("Api.dll", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(replicas);
        // The app host runs its socket continuations inline; a service, whose code may block in one, must not.
        Assert.All(replicas, pid => Assert.DoesNotContain(DistributedApplication.InlineSocketCompletionsVariable, OsProcesses.EnvironmentNamesOf(pid)));
        Assert.Contains("OTEL_SERVICE_NAME", OsProcesses.EnvironmentNamesOf(replicas[0]));

        Assert.True(OsProcesses.Signal(host.Pid, "INT"));
        var exitCode = await host.WaitForExitAsync(Timeout);

        Assert.Equal(0, exitCode);
        Assert.Empty(children.Where(OsProcesses.IsAlive).Select(OsProcesses.CommandLineOf));
    }

    [Fact]
    public async Task Children_do_not_outlive_a_killed_app_host_and_the_next_run_reuses_the_data()
    {
        int personId;
        string dataDirectory;
        string apiKey;
        await using (var first = AppHostProcess.Start($"--AppHost:StateDirectory={_stateDirectory.FullName}", "--AppHost:RandomizePorts=true"))
        {
            var started = await first.WaitForLineAsync(line => line.Contains("Distributed application started", StringComparison.Ordinal), Timeout);
            apiKey = StoredApiKey();
            using var api = new HttpClient { BaseAddress = ApiUrlFrom(started) }.WithApiKey(apiKey);
            using var created = await api.PutAsJsonAsync("/persons", new { firstName = "Survivor" });
            personId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
            var children = OsProcesses.DescendantsOf(first.Pid);

            Assert.True(OsProcesses.Signal(first.Pid, "KILL"));
            await WaitUntilAsync(() => !children.Any(OsProcesses.IsAlive),
                () => "still running: " + string.Join(", ", children.Where(OsProcesses.IsAlive).Select(OsProcesses.CommandLineOf)));
            dataDirectory = Directory.GetDirectories(_stateDirectory.FullName, "postgres-data", SearchOption.AllDirectories).Single();
        }

        // A crash at the wrong moment leaves the lock file of a process that no longer exists.
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "postmaster.pid"), "999999\n" + dataDirectory + "\n");

        await using var second = AppHostProcess.Start($"--AppHost:StateDirectory={_stateDirectory.FullName}", "--AppHost:RandomizePorts=true");
        var restarted = await second.WaitForLineAsync(line => line.Contains("Distributed application started", StringComparison.Ordinal), Timeout);
        Assert.Contains("stale postmaster.pid", second.Output, StringComparison.Ordinal);
        // The generated keys are kept with the data: the second run accepts the first run's key, and shows it masked only.
        Assert.Contains($"'{ResourceNames.ApiReadWriteKey}': {apiKey[..3]}***", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(apiKey, second.Output, StringComparison.Ordinal);
        using var client = new HttpClient { BaseAddress = ApiUrlFrom(restarted) }.WithApiKey(apiKey);
        var person = await client.GetFromJsonAsync<JsonElement>($"/persons/{personId}");
        Assert.Equal("Survivor", person.GetProperty("firstName").GetString());
    }

    [Fact]
    public async Task A_taken_port_is_reported_in_one_line_and_nothing_starts()
    {
        using var squatter = TryListen(3000);
        await using var host = AppHostProcess.Start($"--AppHost:StateDirectory={_stateDirectory.FullName}");

        var exitCode = await host.WaitForExitAsync(Timeout);

        Assert.NotEqual(0, exitCode);
        var error = Assert.Single(host.ErrorLines, line => line.Length > 0);
        Assert.Contains("Port 3000", error, StringComparison.Ordinal);
        Assert.Contains("already in use", error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_stateDirectory.FullName));
    }

    [Fact]
    public async Task A_taken_dashboard_port_is_reported_in_one_line_and_what_started_beside_it_is_stopped()
    {
        // The dashboard starts while PostgreSQL does, so by the time its port turns out to be taken the database may be up.
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        await using var host = AppHostProcess.Start(
            $"--AppHost:StateDirectory={_stateDirectory.FullName}", "--AppHost:RandomizePorts=true", $"--ASPNETCORE_URLS=http://127.0.0.1:{port}");

        var exitCode = await host.WaitForExitAsync(Timeout);

        Assert.NotEqual(0, exitCode);
        var error = Assert.Single(host.ErrorLines, line => line.Length > 0);
        Assert.Contains("dashboard could not listen", error, StringComparison.Ordinal);
        Assert.Contains(port.ToString(CultureInfo.InvariantCulture), error, StringComparison.Ordinal);
        Assert.Empty(CommandLinesUsingTheStateDirectory());

        // Nor is anything left half-made: with the port free again, the next run starts.
        squatter.Stop();
        await using var next = AppHostProcess.Start(
            $"--AppHost:StateDirectory={_stateDirectory.FullName}", "--AppHost:RandomizePorts=true", $"--ASPNETCORE_URLS=http://127.0.0.1:{port}");
        await next.WaitForLineAsync(line => line.Contains("Distributed application started", StringComparison.Ordinal), Timeout);
    }

    [Fact]
    public async Task Missing_postgres_binaries_are_reported_with_the_install_command()
    {
        await using var host = AppHostProcess.Start(
            $"--AppHost:StateDirectory={_stateDirectory.FullName}", "--AppHost:RandomizePorts=true", "--Postgres:BinDirectory=/nonexistent");

        var exitCode = await host.WaitForExitAsync(Timeout);

        Assert.NotEqual(0, exitCode);
        var error = Assert.Single(host.ErrorLines, line => line.Length > 0);
        Assert.Contains("apt-get install postgresql", error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_stateDirectory.FullName));
    }

    [Fact]
    public async Task The_running_app_host_takes_commands_and_a_second_one_is_refused()
    {
        string[] common = [$"--AppHost:StateDirectory={_stateDirectory.FullName}", "--AppHost:RandomizePorts=true", "--Replicas:api=2"];
        await using var running = AppHostProcess.Start(common);
        await running.WaitForLineAsync(line => line.Contains("Distributed application started", StringComparison.Ordinal), Timeout);
        var replicasBefore = OsProcesses.DescendantsOf(running.Pid).Where(pid => OsProcesses.CommandLineOf(pid).Contains("Api.dll", StringComparison.Ordinal)).ToList();

        await using var second = AppHostProcess.Start(common);
        Assert.NotEqual(0, await second.WaitForExitAsync(Timeout));
        Assert.Contains("already running", Assert.Single(second.ErrorLines, line => line.Length > 0), StringComparison.Ordinal);

        await using var status = AppHostProcess.Start(["status", .. common]);
        Assert.Equal(0, await status.WaitForExitAsync(Timeout));
        Assert.Matches(@"api\s+Running\s+Healthy\s+2/2 replicas running", status.Output);

        await using var restart = AppHostProcess.Start(["restart", ResourceNames.Api, .. common]);
        Assert.Equal(0, await restart.WaitForExitAsync(Timeout));
        Assert.Contains("Restarted 'api'", restart.Output, StringComparison.Ordinal);
        var replicasAfter = OsProcesses.DescendantsOf(running.Pid).Where(pid => OsProcesses.CommandLineOf(pid).Contains("Api.dll", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, replicasAfter.Count);
        Assert.Empty(replicasBefore.Intersect(replicasAfter));
        Assert.All(replicasBefore, pid => Assert.False(OsProcesses.IsAlive(pid)));
    }

    [Fact]
    public async Task A_password_other_than_the_one_the_data_was_made_with_is_reported_and_nothing_is_left_running()
    {
        string[] common = [$"--AppHost:StateDirectory={_stateDirectory.FullName}", "--AppHost:RandomizePorts=true", "--Replicas:api=1"];
        await using (var first = AppHostProcess.Start(common))
        {
            await first.WaitForLineAsync(line => line.Contains("Distributed application started", StringComparison.Ordinal), Timeout);
            Assert.True(OsProcesses.Signal(first.Pid, "INT"));
            Assert.Equal(0, await first.WaitForExitAsync(Timeout));
        }

        await using var second = AppHostProcess.Start([.. common, "--Parameters:postgres-password=not-the-one-the-data-was-made-with"]);

        Assert.NotEqual(0, await second.WaitForExitAsync(Timeout));
        Assert.Contains("PostgreSQL rejected the password for 'postgres'", second.Output, StringComparison.Ordinal);
        Assert.Contains("--reset-data", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Distributed application started", second.Output, StringComparison.Ordinal);
        Assert.Empty(CommandLinesUsingTheStateDirectory());
    }

    [Fact]
    public async Task A_database_missing_from_kept_data_is_created_again_and_migrated()
    {
        string[] kept = [$"--AppHost:StateDirectory={_stateDirectory.FullName}", "--AppHost:EphemeralData=false", "--Replicas:api=1"];
        int created;
        await using (var first = await (await DistributedApplicationTestingBuilder.CreateAsync<Program>(kept)).BuildAsync())
        {
            await first.StartResourcesAsync(ResourceNames.Api);
            using var client = first.CreateApiClient();
            created = (await ContactsApi.CreateAsync(client, "Kept", "Before")).Id;
            var server = (await first.GetConnectionStringAsync(ResourceNames.Postgres))!;
            await Database.ExecuteAsync(server, $"DROP DATABASE {ResourceNames.Database} WITH (FORCE)");
        }

        await using var second = await (await DistributedApplicationTestingBuilder.CreateAsync<Program>(kept)).BuildAsync();
        await second.StartResourcesAsync(ResourceNames.Api);

        using var api = second.CreateApiClient();
        var listing = await api.GetAsync("/api/contacts");
        Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        Assert.Equal(0, await Database.CountPeopleAsync((await second.GetConnectionStringAsync(ResourceNames.Database))!));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/contacts/{created}")).StatusCode);
    }

    [Fact]
    public async Task A_data_directory_owned_by_another_user_is_reported_in_one_line()
    {
        var state = new AppHostState(new HostingOptions { StateDirectory = _stateDirectory.FullName }, "AppHost", AppHostProcess.AppHostDirectory);
        var dataDirectory = Directory.CreateDirectory(state.GetVolumeDirectory("postgres-data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "PG_VERSION"), "15\n");
        OsUsers.ChangeOwner(dataDirectory, (54321, 54321));

        await using var host = AppHostProcess.Start($"--AppHost:StateDirectory={_stateDirectory.FullName}", "--AppHost:RandomizePorts=true");

        Assert.NotEqual(0, await host.WaitForExitAsync(Timeout));
        var error = Assert.Single(host.ErrorLines, line => line.Length > 0);
        Assert.Contains("belongs to another user (uid 54321)", error, StringComparison.Ordinal);
        Assert.Empty(OsProcesses.DescendantsOf(host.Pid));
    }

    public void Dispose() => _stateDirectory.Delete(recursive: true);

    // The app host names the state directory in its command line, and PostgreSQL its data directory inside it.
    private List<string> CommandLinesUsingTheStateDirectory() => Directory.EnumerateDirectories("/proc")
        .Select(dir => int.TryParse(Path.GetFileName(dir), out var pid) ? pid : 0)
        .Where(pid => pid > 0 && OsProcesses.CommandLineOf(pid).Contains(_stateDirectory.FullName, StringComparison.Ordinal))
        .Select(OsProcesses.CommandLineOf)
        .ToList();

    // Under root, PostgreSQL runs as 'postgres', which must be able to pass through the folder.
    private static DirectoryInfo CreateStateDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("apphost-state-");
        directory.UnixFileMode |= UnixFileMode.OtherExecute | UnixFileMode.GroupExecute;
        return directory;
    }

    private static Uri ApiUrlFrom(string startedLine)
    {
        var marker = $": {ResourceNames.Api} at ";
        var start = startedLine.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        var end = startedLine.IndexOfAny([',', '.', ' '], startedLine.IndexOf("//", start, StringComparison.Ordinal) + 2);
        return new Uri(startedLine[start..end].Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
    }

    // Where a user finds the generated keys too: the app host's console names this file.
    private string StoredApiKey()
    {
        var parameters = Directory.GetFiles(_stateDirectory.FullName, "parameters.json", SearchOption.AllDirectories).Single();
        return JsonDocument.Parse(File.ReadAllText(parameters)).RootElement.GetProperty(ResourceNames.ApiReadWriteKey).GetString()!;
    }

    private static TcpListener? TryListen(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return listener;
        }
        catch (SocketException)
        {
            return null; // Something already holds it, which serves the test just as well.
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> describe)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException(describe());
            }

            await Task.Delay(50);
        }
    }
}
