using System.Collections.Immutable;
using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace AddressBook.Hosting.Postgres;

/// <summary>
/// Runs a PostgreSQL server from the machine's binaries: initialises its data directory on first use,
/// recovers one left by a run that was killed, and reports it healthy once a real connection succeeds.
/// Under root it runs as the 'postgres' OS user, since PostgreSQL refuses to run as root.
/// </summary>
internal sealed class PostgresServerRunner(PostgresServerResource server, RunnerContext context) : IResourceRunner
{
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private string? _binDirectory;
    private string? _dataDirectory;
    private ChildProcess? _process;
    private volatile bool _stopping;
    private readonly CancellationTokenSource _stopped = new();
    private readonly RestartBudget _restarts = new(server.Annotations.OfType<RestartPolicyAnnotation>().LastOrDefault());

    public IResource Resource => server;

    private bool IsPersistent => server.Annotations.OfType<PostgresDataAnnotation>().Any() && !context.State.IsEphemeral;

    public IEnumerable<string> Preflight()
    {
        _binDirectory = server.BinDirectory = PostgresBinaries.Find(context.Configuration);
        if (_binDirectory is null)
        {
            yield return PostgresBinaries.InstallHint;
        }

        var serviceUser = OsUsers.IsRoot ? OsUsers.Find(ServiceUser) : null;
        if (OsUsers.IsRoot && serviceUser is null)
        {
            yield return $"PostgreSQL refuses to run as root and there is no '{ServiceUser}' OS user to run it as: "
                + "install the postgresql package (it creates that user) or run the app host as an ordinary user.";
            yield break;
        }

        _dataDirectory = DataDirectoryPath();
        if (DataDirectoryProblem(_dataDirectory, serviceUser) is { } problem)
        {
            yield return problem;
        }
    }

    public void AllocateEndpoints(PortAllocator ports)
    {
        var endpoint = server.PrimaryEndpoint;
        var port = endpoint.Port is { } fixedPort && !context.Options.RandomizePorts ? fixedPort : ports.AllocateFree();
        endpoint.AllocatedEndpoint = new AllocatedEndpoint("tcp", "127.0.0.1", port);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _dataDirectory ??= DataDirectoryPath();
        Directory.CreateDirectory(_dataDirectory);
        var serviceUser = OsUsers.IsRoot ? OsUsers.Find(ServiceUser) : null;
        if (serviceUser is { } owner)
        {
            OsUsers.ChangeOwner(_dataDirectory, owner);
        }

        if (File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            CheckMajorVersion(_dataDirectory);
            await RecoverFromUncleanStopAsync(_dataDirectory, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await InitializeAsync(_dataDirectory, serviceUser, cancellationToken).ConfigureAwait(false);
        }

        await LaunchServerAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task LaunchServerAsync(CancellationToken cancellationToken)
    {
        var endpoint = server.PrimaryEndpoint.AllocatedEndpoint!;
        List<string> arguments =
        [
            "-D", _dataDirectory!, "-p", endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "logging_collector=off",
            // Room for every replica's connection pool; PostgreSQL's default of 100 is two pools' worth.
            "-c", "max_connections=500",
        ];
        if (!IsPersistent)
        {
            // Nothing survives the run, so nothing need survive a machine crash; a server crash must still lose no
            // acknowledged commit, which the operating system's cache guarantees without fsync but not without
            // synchronous commit.
            arguments.AddRange(["-c", "fsync=off", "-c", "full_page_writes=off"]);
        }

        var process = await LaunchAsync("postgres", arguments).ConfigureAwait(false);
        _process = process;
        var startedAt = DateTimeOffset.UtcNow;
        context.Notifications.PublishUpdate(server, s => s with
        {
            State = KnownResourceStates.Starting,
            ProcessId = process.ProcessId,
            StartedAt = startedAt,
            StoppedAt = null,
            ExitCode = null,
            HealthStatus = null,
            Urls = [$"tcp://{endpoint.Host}:{endpoint.Port}"],
        });

        await WaitUntilAcceptingConnectionsAsync(process, cancellationToken).ConfigureAwait(false);
        context.Notifications.PublishUpdate(server, s => s with { State = KnownResourceStates.Running, HealthStatus = HealthStatus.Healthy, FailureReason = null });
        _ = SuperviseAsync(process, startedAt);
    }

    public async Task StopAsync()
    {
        _stopping = true;
        await _stopped.CancelAsync().ConfigureAwait(false);
        if (_process is { } process)
        {
            context.Notifications.PublishUpdate(server, s => s with { State = KnownResourceStates.Stopping });
            // SIGINT is PostgreSQL's fast shutdown: roll back open transactions, checkpoint, exit.
            var exitCode = await process.StopAsync((Signals.SIGINT, TimeSpan.FromSeconds(5)), (Signals.SIGQUIT, TimeSpan.FromSeconds(2))).ConfigureAwait(false);
            context.Notifications.PublishUpdate(server, s => s with
            {
                State = KnownResourceStates.Finished, ExitCode = exitCode, ProcessId = null, StoppedAt = DateTimeOffset.UtcNow, HealthStatus = null,
            });
        }
    }

    private string DataDirectoryPath()
    {
        var data = server.Annotations.OfType<PostgresDataAnnotation>().LastOrDefault();
        return data?.SourcePath is { } source && !context.State.IsEphemeral
            ? source
            : context.State.GetVolumeDirectory(data?.VolumeName ?? $"{server.Name}-{Guid.NewGuid():N}");
    }

    // The server runs as the data directory's owner: under root that is the 'postgres' user, who must also be
    // able to pass through every folder above it; otherwise it is the user running the app host.
    private static string? DataDirectoryProblem(string dataDirectory, (uint Uid, uint Gid)? serviceUser)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")) && OsUsers.OwnerOf(dataDirectory) is { } owner)
        {
            var expected = serviceUser?.Uid ?? OsUsers.EffectiveUserId;
            if (owner != expected)
            {
                var runner = serviceUser is null ? "you" : $"the '{ServiceUser}' user";
                return $"The PostgreSQL data directory {dataDirectory} belongs to another user (uid {owner}), and PostgreSQL runs as {runner}: "
                    + "run the app host as its owner, change its owner, or choose another AppHost:StateDirectory.";
            }
        }

        if (serviceUser is null)
        {
            return null;
        }

        // Only folders that exist can bar the way; those still to be created will be made passable.
        for (var folder = new DirectoryInfo(dataDirectory).Parent; folder is not null; folder = folder.Parent)
        {
            if (folder.Exists && !folder.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                return $"PostgreSQL runs as the '{ServiceUser}' user, who cannot reach {dataDirectory}: {folder.FullName} is closed to other users. "
                    + $"Allow passage (chmod o+x {folder.FullName}) or choose another AppHost:StateDirectory.";
            }
        }

        return null;
    }

    private void CheckMajorVersion(string dataDirectory)
    {
        var dataVersion = File.ReadAllText(Path.Combine(dataDirectory, "PG_VERSION")).Trim();
        var binaryVersion = Path.GetFileName(Path.GetDirectoryName(_binDirectory!));
        if (int.TryParse(binaryVersion, out _) && dataVersion != binaryVersion)
        {
            throw new DistributedApplicationException(
                $"The data directory {dataDirectory} was created by PostgreSQL {dataVersion} but the binaries found are version {binaryVersion}; "
                + $"install PostgreSQL {dataVersion}, set {PostgresBinaries.ConfigurationKey}, or start afresh with --reset-data.");
        }
    }

    private async Task InitializeAsync(string dataDirectory, (uint Uid, uint Gid)? serviceUser, CancellationToken cancellationToken)
    {
        if (Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new DistributedApplicationException(
                $"{dataDirectory} is not empty and is not a PostgreSQL data directory; move its contents away or start afresh with --reset-data.");
        }

        // The password reaches initdb through a file that only the server's user can read, never the command line.
        var passwordFile = Path.Combine(Path.GetDirectoryName(dataDirectory)!, $".{server.Name}-initdb-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(passwordFile, server.PasswordParameter.Value, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            if (serviceUser is { } owner)
            {
                OsUsers.ChangeOwner(passwordFile, owner);
            }

            List<string> arguments =
            [
                "-D", dataDirectory, "-U", server.UserName, "--auth=scram-sha-256", $"--pwfile={passwordFile}",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions",
            ];
            if (!IsPersistent)
            {
                arguments.Add("--no-sync");
            }

            using var initdb = await LaunchAsync("initdb", arguments).ConfigureAwait(false);
            int exitCode;
            try
            {
                exitCode = await initdb.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Left alone it would outlive the app host; told to stop, initdb removes what it had written, so the
                // next start finds an empty directory rather than half a cluster.
                await initdb.StopAsync((Signals.SIGTERM, TimeSpan.FromSeconds(10))).ConfigureAwait(false);
                throw;
            }

            if (exitCode != 0)
            {
                throw new DistributedApplicationException($"initdb failed with exit code {exitCode}. {context.TailOf(server)}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    // A killed app host can leave postmaster.pid behind, or (without the parent-death signal, on other
    // systems) a server still running on the directory. Either would block this start.
    private async Task RecoverFromUncleanStopAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid))
        {
            return;
        }

        if (IsPostgresProcess(pid))
        {
            context.Logger.LogWarning("Stopping PostgreSQL (pid {Pid}) left running on {DataDirectory} by a previous run.", pid, dataDirectory);
            Signals.Send(pid, Signals.SIGINT);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Signals.IsAlive(pid) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }

            if (Signals.IsAlive(pid))
            {
                Signals.Send(pid, Signals.SIGQUIT);
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            context.Logger.LogWarning(
                "Removed a stale postmaster.pid (pid {Pid} is gone) from {DataDirectory}, left by a previous run that did not shut down cleanly.",
                pid, dataDirectory);
        }

        File.Delete(pidFile);
    }

    private static bool IsPostgresProcess(int pid)
    {
        var cmdline = $"/proc/{pid}/cmdline";
        return Signals.IsAlive(pid) && File.Exists(cmdline) && File.ReadAllText(cmdline).Split('\0')[0].EndsWith("postgres", StringComparison.Ordinal);
    }

    private Task<ChildProcess> LaunchAsync(string program, IReadOnlyList<string> arguments) =>
        ChildProcess.StartAsync(
            new ChildProcessSpec(Path.Combine(_binDirectory!, program), arguments)
            {
                WorkingDirectory = Path.GetDirectoryName(_dataDirectory),
                RunAsUser = ServiceUser,
                // SIGINT: even when the app host is killed, the server gets a fast, clean shutdown.
                ParentDeathSignal = Signals.SIGINT,
                Environment = new Dictionary<string, string?> { ["LC_MESSAGES"] = "C" },
            },
            (line, isError) => context.Logs.WriteLine(server, line, isError));

    private async Task WaitUntilAcceptingConnectionsAsync(ChildProcess process, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadyTimeout);
        var statusFile = Path.Combine(_dataDirectory!, "postmaster.pid");
        string? refusal = null;
        try
        {
            while (true)
            {
                if (process.HasExited)
                {
                    throw new DistributedApplicationException(
                        $"PostgreSQL exited with code {await process.Exited.ConfigureAwait(false)} while starting. {context.TailOf(server)}");
                }

                if (ReportsReady(statusFile, process.ProcessId))
                {
                    // Ready, and our password is the one the data directory was initialised with; the databases it
                    // lists come with the same connection.
                    var check = await Psql.RunAsync(server, "postgres", "SELECT datname FROM pg_database", timeout.Token).ConfigureAwait(false);
                    if (check.Succeeded)
                    {
                        server.ExistingDatabases = check.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
                        return;
                    }

                    if (check.PasswordRejected)
                    {
                        throw new DistributedApplicationException(
                            $"PostgreSQL rejected the password for '{server.UserName}': the data directory {_dataDirectory} was initialised with another one. "
                            + $"Set Parameters:{server.PasswordParameter.Name} to the original password, or start afresh with --reset-data.");
                    }

                    refusal = check.Error;
                }

                await Task.Delay(refusal is null ? StatusPollInterval : StatusPollInterval * 5, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var lastRefusal = refusal is null ? "" : $" The last attempt to connect said: {refusal}";
            throw new DistributedApplicationException(
                $"PostgreSQL did not accept connections within {ReadyTimeout.TotalSeconds:0} seconds.{lastRefusal} {context.TailOf(server)}");
        }
    }

    // Reading a file is nearly free, so it can be read often; every attempt to connect before the server is ready
    // costs a failed connection and a wait before the next one.
    private static readonly TimeSpan StatusPollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// What pg_ctl waits for: the server writes its status as the eighth line of postmaster.pid, "ready" once it accepts
    /// connections. A file left behind by an earlier server names another process.
    /// </summary>
    private static bool ReportsReady(string statusFile, int processId)
    {
        try
        {
            var lines = File.ReadAllLines(statusFile);
            return lines.Length >= 8
                && lines[0].Trim() == processId.ToString(System.Globalization.CultureInfo.InvariantCulture)
                && lines[7].Trim() is "ready" or "standby";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to read: connecting tells instead.
            return true;
        }
    }

    private async Task SuperviseAsync(ChildProcess process, DateTimeOffset startedAt)
    {
        var exitCode = await process.Exited.ConfigureAwait(false);
        if (_stopping)
        {
            return;
        }

        var uptime = DateTimeOffset.UtcNow - startedAt;
        var backoff = _restarts.OnCrash(uptime);
        var restart = backoff is null ? "" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"; restarting it in {backoff.Value.TotalMilliseconds:0} ms");
        context.Logger.LogError("PostgreSQL '{Resource}' exited unexpectedly with code {ExitCode}{Restart}. {Tail}", server.Name, exitCode, restart, context.TailOf(server));
        context.Logs.WriteEvent(server, $"exited unexpectedly with code {exitCode}{restart}.");
        context.Notifications.PublishUpdate(server, s => s with
        {
            State = backoff is null ? KnownResourceStates.Exited : KnownResourceStates.Starting,
            ExitCode = exitCode, ProcessId = null, StoppedAt = DateTimeOffset.UtcNow, HealthStatus = HealthStatus.Unhealthy,
            FailureReason = $"exited unexpectedly with code {exitCode}", RestartCount = _restarts.Restarts,
        });
        if (backoff is null)
        {
            return;
        }

        try
        {
            await Task.Delay(backoff.Value, _stopped.Token).ConfigureAwait(false);
            // A server that was killed leaves its lock file; the same recovery as after a killed app host applies.
            await RecoverFromUncleanStopAsync(_dataDirectory!, _stopped.Token).ConfigureAwait(false);
            await LaunchServerAsync(_stopped.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting to restart.
        }
        catch (DistributedApplicationException ex)
        {
            context.Logger.LogError("PostgreSQL '{Resource}' could not be restarted: {Reason}", server.Name, ex.Message);
            context.Notifications.PublishUpdate(server, s => s with { State = KnownResourceStates.FailedToStart, FailureReason = ex.Message });
        }
    }
}
