using System.Globalization;
using AddressBook.Hosting.ApplicationModel;
using AddressBook.Hosting.Proxy;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace AddressBook.Hosting;

/// <summary>
/// One process slot of a project: launches it, checks its health, restarts it after a crash under the
/// restart policy, replaces it when its memory stays over the limit, and stops it.
/// </summary>
internal sealed class ProjectReplica(ProjectRunner runner, int index, string name)
{
    private static readonly HttpClient HealthClient = new() { Timeout = TimeSpan.FromSeconds(2) };
    private static readonly TimeSpan HealthInterval = TimeSpan.FromSeconds(1);
    // Until it first passes, a refused connection costs next to nothing, and every interval is start time.
    private static readonly TimeSpan StartingHealthInterval = TimeSpan.FromMilliseconds(20);
    private readonly RestartBudget _restarts = new(runner.RestartPolicy);
    private readonly SemaphoreSlim _replacing = new(1, 1);
    // Cancelled by a stop; a start on request after that begins a new one. _shutDown is the app host's stop, for good.
    private CancellationTokenSource _stopping = new();
    private volatile bool _shutDown;
    private readonly Lock _snapshotGate = new();
    private Instance? _current;
    private Task<Spawned>? _held;
    private int _replacements;

    public ReplicaSnapshot Snapshot { get; private set; } = new() { Name = name, Index = index };

    public string Name => name;

    /// <summary>Whether a process of it runs and is not being stopped.</summary>
    public bool IsRunning => _current is { } instance && !instance.Process.HasExited && !instance.Retired;

    private RunnerContext Context => runner.Context;

    private ProjectResource Project => runner.Project;

    /// <summary>Completes when the first process is healthy or has ended, whichever comes first.</summary>
    public Task FirstReadiness => _current?.Healthy.Task ?? Task.CompletedTask;

    /// <summary>Completes when the first process has answered a request through the endpoint; at once for one without an endpoint.</summary>
    public Task FirstAnswer => _current?.Destination?.FirstAnswer ?? Task.CompletedTask;

    /// <summary>
    /// Launches its process ahead of what the project waits for, held before its host starts (AppHostStartGate in the
    /// service defaults) until <see cref="StartAsync"/>: the runtime's start and the host's build then overlap that wait.
    /// </summary>
    public void LaunchHeld(CancellationToken cancellationToken) => _held = SpawnAsync(held: true, cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await TakeHeldAsync().ConfigureAwait(false) is { } held)
        {
            if (held.Process.WriteLine("start"))
            {
                _current = Attach(held);
                return;
            }

            // It ended while held: launched again the usual way, its failure is reported and counted as any other.
            held.Process.Dispose();
        }

        _current = await LaunchAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops a process launched held that is not to start: what it waited for failed, or the app host is stopping.</summary>
    public async Task DiscardHeldAsync()
    {
        if (await TakeHeldAsync().ConfigureAwait(false) is { } held)
        {
            await held.Process.StopAsync((Signals.SIGTERM, Context.Options.StopGracePeriod)).ConfigureAwait(false);
            held.Process.Dispose();
        }
    }

    private async Task<Spawned?> TakeHeldAsync()
    {
        if (Interlocked.Exchange(ref _held, null) is not { } pending)
        {
            return null;
        }

        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Its launch failed or was cancelled; a start launches it again the usual way and reports what fails then.
            Context.Logger.LogDebug(ex, "The held launch of {Replica} did not complete.", name);
            return null;
        }
    }

    /// <summary>Stops it for good: the app host is shutting down.</summary>
    public async Task StopAsync()
    {
        _shutDown = true;
        await DiscardHeldAsync().ConfigureAwait(false);
        await StopOnRequestAsync().ConfigureAwait(false);
    }

    /// <summary>Stops its process (and any restart pending after a crash); <see cref="StartAgainAsync"/> brings it back.</summary>
    public async Task StopOnRequestAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _replacing.WaitAsync().ConfigureAwait(false);
        try
        {
            // A start that held the lock may have begun a new lifetime since.
            await _stopping.CancelAsync().ConfigureAwait(false);
            if (_current is { } instance && !instance.Process.HasExited)
            {
                Update(s => s with { State = KnownResourceStates.Stopping });
                await StopInstanceAsync(instance).ConfigureAwait(false);
            }
        }
        finally
        {
            _replacing.Release();
        }
    }

    /// <summary>Starts a process again after a stop, a completed run or a failure; does nothing while one runs.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken)
    {
        await _replacing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_shutDown)
            {
                throw new InvalidOperationException("The app host is shutting down.");
            }

            if (IsRunning)
            {
                return;
            }

            _stopping = new CancellationTokenSource();
            Context.Logs.WriteEvent(Project, $"Starting {name} on request.", name);
            _current = await LaunchAsync(_stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            _replacing.Release();
        }
    }

    /// <summary>Starts a new process, waits until it is healthy, then drains and stops the current one.</summary>
    public async Task ReplaceAsync(string reason, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        await _replacing.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            var old = _current;
            Context.Logger.LogInformation("Replacing {Replica} ({Reason}).", name, reason);
            Context.Logs.WriteEvent(Project, $"Replacing {name} ({reason}).", name);
            var successor = await LaunchAsync(linked.Token).ConfigureAwait(false);
            bool healthy;
            try
            {
                healthy = await successor.Healthy.Task.WaitAsync(TimeSpan.FromSeconds(60), linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
            {
                // Stopping, or it never became healthy: the successor must not outlive the replacement.
                await StopInstanceAsync(successor).ConfigureAwait(false);
                if (ex is OperationCanceledException)
                {
                    throw;
                }

                healthy = false;
            }

            if (!healthy)
            {
                Context.Logger.LogError("The replacement of {Replica} did not become healthy; keeping the running process. {Tail}", name, Context.TailOf(Project));
                if (!successor.Retired)
                {
                    await StopInstanceAsync(successor).ConfigureAwait(false);
                }

                return;
            }

            _current = successor;
            Interlocked.Increment(ref _replacements);
            Update(s => s with { RestartCount = _restarts.Restarts + _replacements });
            if (old is not null)
            {
                await StopInstanceAsync(old).ConfigureAwait(false);
            }
        }
        finally
        {
            _replacing.Release();
        }
    }

    private async Task<Instance> LaunchAsync(CancellationToken cancellationToken) =>
        Attach(await SpawnAsync(held: false, cancellationToken).ConfigureAwait(false));

    private async Task<Spawned> SpawnAsync(bool held, CancellationToken cancellationToken)
    {
        var port = runner.HttpEndpoint is null ? (int?)null : runner.AllocatePort();
        var instanceId = $"{name}-{Guid.NewGuid().ToString("N")[..8]}";
        var environment = await ProjectEnvironment.BuildAsync(runner, instanceId, port, cancellationToken).ConfigureAwait(false);
        if (!held)
        {
            Update(s => s with { State = KnownResourceStates.Starting, ExitCode = null, FailureReason = null, HealthStatus = null });
        }

        var process = await ChildProcess.StartAsync(
            new ChildProcessSpec(DotnetMuxer.Path, [Project.Metadata.ExecutablePath])
            {
                // As 'dotnet run' does: the project folder is the content root, so its settings and web root are found.
                WorkingDirectory = Path.GetDirectoryName(Project.Metadata.ProjectPath),
                Environment = held ? new Dictionary<string, string?>(environment) { [StartGateVariable] = "stdin" } : environment,
            },
            (line, isError) => Context.Logs.WriteLine(Project, line, isError, name)).ConfigureAwait(false);
        return new Spawned(process, port, instanceId, environment);
    }

    private Instance Attach(Spawned spawned)
    {
        var (process, port, instanceId, environment) = spawned;

        var destination = port is { } p ? new ProxyDestination(new Uri($"http://127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}")) : null;
        var instance = new Instance(process, destination, DateTimeOffset.UtcNow);
        if (destination is not null)
        {
            runner.Proxy?.Balancer.Add(destination);
        }

        Update(s => s with
        {
            State = KnownResourceStates.Running,
            ProcessId = process.ProcessId,
            InstanceId = instanceId,
            EnvironmentVariables = [.. environment.Where(v => v.Value is not null).OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new EnvironmentVariableSnapshot(v.Key, v.Value!))],
            Url = destination?.Address.ToString().TrimEnd('/'),
            StartedAt = instance.StartedAt,
            HealthStatus = destination is null ? HealthStatus.Healthy : null,
        });

        if (destination is null)
        {
            instance.Healthy.TrySetResult(true);
        }
        else
        {
            _ = MonitorHealthAsync(instance);
        }

        if (runner.MemoryLimit is { } limit)
        {
            _ = WatchMemoryAsync(instance, limit);
        }

        _ = SuperviseAsync(instance);
        return instance;
    }

    private async Task MonitorHealthAsync(Instance instance)
    {
        var destination = instance.Destination!;
        var url = new Uri(destination.Address, "/health");
        while (!instance.Process.HasExited && !instance.Retired)
        {
            bool healthy;
            try
            {
                using var response = await HealthClient.GetAsync(url, instance.Retiring.Token).ConfigureAwait(false);
                healthy = response.IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, timed out, or being retired.
                healthy = false;
            }

            if (instance.Process.HasExited || instance.Retired)
            {
                return;
            }

            var wasHealthy = destination.Healthy;
            destination.Healthy = healthy;
            if (healthy)
            {
                instance.Healthy.TrySetResult(true);
            }

            if (destination.Served != Snapshot.RequestsServed && _current == instance)
            {
                Update(s => s.ProcessId == instance.Process.ProcessId ? s with { RequestsServed = destination.Served } : s);
            }

            if (healthy != wasHealthy || Snapshot.HealthStatus is null)
            {
                if (healthy || instance.Healthy.Task.IsCompleted)
                {
                    Update(s => s.ProcessId == instance.Process.ProcessId ? s with { HealthStatus = healthy ? HealthStatus.Healthy : HealthStatus.Unhealthy } : s);
                }
            }

            try
            {
                await Task.Delay(instance.Healthy.Task.IsCompleted ? HealthInterval : StartingHealthInterval, instance.Retiring.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WatchMemoryAsync(Instance instance, MemoryLimitAnnotation limit)
    {
        var overSince = (DateTimeOffset?)null;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync().ConfigureAwait(false) && !instance.Process.HasExited && !instance.Retired)
        {
            if (ResidentMemory.PrivateOf(instance.Process.ProcessId) is not { } rss)
            {
                continue;
            }

            Update(s => s.ProcessId == instance.Process.ProcessId ? s with { ResidentMemoryBytes = rss } : s);
            if (rss <= limit.Bytes || !instance.Healthy.Task.IsCompleted)
            {
                overSince = null;
                continue;
            }

            overSince ??= DateTimeOffset.UtcNow;
            if (DateTimeOffset.UtcNow - overSince >= limit.SustainedFor && _current == instance)
            {
                Context.Logger.LogWarning("{Replica} uses {Resident} MiB, over its {Limit} MiB limit; replacing it.",
                    name, rss / (1024 * 1024), limit.Bytes / (1024 * 1024));
                try
                {
                    await ReplaceAsync($"resident memory {rss / (1024 * 1024)} MiB over the {limit.Bytes / (1024 * 1024)} MiB limit", _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                overSince = null;
            }
        }
    }

    private async Task SuperviseAsync(Instance instance)
    {
        var exitCode = await instance.Process.Exited.ConfigureAwait(false);
        if (instance.Destination is { } destination)
        {
            runner.Proxy?.Balancer.Remove(destination);
        }

        instance.Healthy.TrySetResult(false);
        if (instance.Retired || _stopping.IsCancellationRequested)
        {
            if (_current == instance || _current is null)
            {
                Update(s => s with { State = KnownResourceStates.Finished, ExitCode = exitCode, ProcessId = null, HealthStatus = null, ResidentMemoryBytes = null });
            }

            return;
        }

        var completed = exitCode == 0 && (runner.RunsToCompletion || runner.HttpEndpoint is null);
        if (completed)
        {
            Update(s => s with { State = KnownResourceStates.Finished, ExitCode = 0, ProcessId = null, HealthStatus = null, ResidentMemoryBytes = null });
            return;
        }

        var uptime = DateTimeOffset.UtcNow - instance.StartedAt;
        var backoff = _restarts.OnCrash(uptime);
        var tail = Context.TailOf(Project);
        if (backoff is null)
        {
            var reason = _restarts.MaxRestarts > 0
                ? $"exited with code {exitCode}, and was restarted {_restarts.MaxRestarts} times in a row without staying up; not restarted again"
                : $"exited with code {exitCode}";
            Context.Logger.LogError("'{Replica}' {Reason}. {Tail}", name, reason, tail);
            Context.Logs.WriteEvent(Project, $"{name} {reason}.", name);
            Update(s => s with
            {
                State = _restarts.MaxRestarts > 0 ? KnownResourceStates.FailedToStart : KnownResourceStates.Exited,
                ExitCode = exitCode, ProcessId = null, HealthStatus = null, ResidentMemoryBytes = null, FailureReason = reason,
            });
            return;
        }

        Context.Logger.LogWarning("'{Replica}' exited with code {ExitCode} after {Uptime:0.0} s; restart {Restart} of {Max} in {Backoff} ms. {Tail}",
            name, exitCode, uptime.TotalSeconds, _restarts.Restarts, _restarts.MaxRestarts, backoff.Value.TotalMilliseconds, tail);
        Context.Logs.WriteEvent(Project, string.Create(CultureInfo.InvariantCulture,
            $"{name} exited with code {exitCode}; restarting in {backoff.Value.TotalMilliseconds:0} ms ({_restarts.Restarts} of {_restarts.MaxRestarts})."), name);
        Update(s => s with
        {
            State = KnownResourceStates.Starting, ExitCode = exitCode, ProcessId = null, HealthStatus = null,
            ResidentMemoryBytes = null, RestartCount = _restarts.Restarts + _replacements,
        });
        var lifetime = _stopping.Token;
        try
        {
            await Task.Delay(backoff.Value, lifetime).ConfigureAwait(false);
            await _replacing.WaitAsync(lifetime).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Update(s => s with { State = KnownResourceStates.Finished });
            return;
        }

        try
        {
            // Stopped, or stopped and started again, while waiting for the lock: this restart is no longer wanted.
            lifetime.ThrowIfCancellationRequested();
            _current = await LaunchAsync(lifetime).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped while restarting.
        }
        finally
        {
            _replacing.Release();
        }
    }

    private async Task StopInstanceAsync(Instance instance)
    {
        instance.Retire();
        if (instance.Destination is { } destination)
        {
            await destination.DrainAsync(Context.Options.StopGracePeriod).ConfigureAwait(false);
            runner.Proxy?.Balancer.Remove(destination);
        }

        await instance.Process.StopAsync((Signals.SIGTERM, Context.Options.StopGracePeriod)).ConfigureAwait(false);
    }

    private void Update(Func<ReplicaSnapshot, ReplicaSnapshot> change)
    {
        lock (_snapshotGate)
        {
            Snapshot = change(Snapshot);
        }

        runner.PublishState();
    }

    /// <summary>The variable of the service defaults' AppHostStartGate (the app host does not reference them).</summary>
    internal const string StartGateVariable = "ADDRESSBOOK_START_GATE";

    private sealed record Spawned(ChildProcess Process, int? Port, string InstanceId, IReadOnlyDictionary<string, string?> Environment);

    /// <summary>One process of the slot; a replacement briefly overlaps its predecessor.</summary>
    private sealed class Instance(ChildProcess process, ProxyDestination? destination, DateTimeOffset startedAt)
    {
        public ChildProcess Process { get; } = process;

        public ProxyDestination? Destination { get; } = destination;

        public DateTimeOffset StartedAt { get; } = startedAt;

        /// <summary>Completes with true once healthy, or false if it ended first.</summary>
        public TaskCompletionSource<bool> Healthy { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenSource Retiring { get; } = new();

        /// <summary>Set when it is being stopped on purpose, so its exit is not taken for a crash.</summary>
        public bool Retired => Retiring.IsCancellationRequested;

        public void Retire() => Retiring.Cancel();
    }
}

/// <summary>Reads a process's resident memory from /proc.</summary>
internal static class ResidentMemory
{
    /// <summary>
    /// The resident memory that is the process's own (RssAnon): its heaps and stacks. Mapped runtime and library
    /// files, over 100 MiB of a .NET service's VmRSS, are shared by every replica and never grow with a leak.
    /// </summary>
    public static long? PrivateOf(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    var kilobytes = line["RssAnon:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process ended between the check and the read.
        }

        return null;
    }
}
