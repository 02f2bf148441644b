using AddressBook.Hosting.ApplicationModel;
using AddressBook.Hosting.Postgres;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AddressBook.Hosting;

/// <summary>
/// Starts every resource as soon as what it waits for is ready, all independent ones in parallel, and
/// stops them in reverse: a resource stops only after everything that uses it has stopped.
/// </summary>
internal sealed class ApplicationOrchestrator(
    DistributedApplicationModel model,
    RunnerContext context,
    DistributedApplicationEventing eventing,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    ILogger<ApplicationOrchestrator> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly System.Diagnostics.Stopwatch _sinceStart = System.Diagnostics.Stopwatch.StartNew();
    private readonly Dictionary<IResource, IResourceRunner> _runners = [];
    private readonly Dictionary<IResource, Task> _starts = [];
    private readonly Dictionary<IResource, TaskCompletionSource> _readyHandled = [];

    /// <summary>Set when the application could not start; the app host exits with it.</summary>
    public int? FailureExitCode { get; private set; }

    /// <summary>
    /// Resolves parameters, checks prerequisites and allocates ports, before anything starts, so that a
    /// problem leaves nothing half-started behind.
    /// </summary>
    public void Prepare()
    {
        if (context.Options.ResetData && context.State.Reset())
        {
            logger.LogWarning("Deleted the persisted data and generated secrets in {StateDirectory}.", context.State.Root);
        }

        foreach (var resource in model.Resources)
        {
            if (CreateRunner(resource) is { } runner)
            {
                _runners[resource] = runner;
            }
        }

        var controlSocket = Control.ControlServer.SocketPath(context.State);
        if (Control.ControlClient.IsRunning(controlSocket))
        {
            throw new DistributedApplicationException(
                $"This app host is already running from {context.State.Root} (its control socket answers); stop it first, "
                + "or give this run its own AppHost:StateDirectory.");
        }

        var problems = _runners.Values.SelectMany(r => r.Preflight()).Distinct().ToList();
        problems.AddRange(FixedPortsInUse());
        if (problems.Count > 0)
        {
            throw new DistributedApplicationException(string.Join(Environment.NewLine, problems));
        }

        ResolveParameters();

        var ports = new PortAllocator();
        foreach (var port in FixedPorts())
        {
            ports.Reserve(port);
        }

        foreach (var runner in _runners.Values)
        {
            runner.AllocateEndpoints(ports);
        }

        foreach (var runner in _runners.Values)
        {
            var waits = runner.Resource.Annotations.OfType<WaitAnnotation>().Any();
            context.Notifications.PublishUpdate(runner.Resource, s => s with { State = waits ? KnownResourceStates.Waiting : KnownResourceStates.NotStarted });
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var resource in model.Resources)
        {
            _readyHandled[resource] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        foreach (var parameter in model.Resources.OfType<ParameterResource>())
        {
            _readyHandled[parameter].SetResult();
        }

        foreach (var runner in _runners.Values)
        {
            _starts[runner.Resource] = Task.Run(() => StartWhenReadyAsync(runner, _stopping.Token));
        }

        _ = ReportStartupAsync();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var stops = new Dictionary<IResource, Task>();
        Task StopAfterDependents(IResource resource)
        {
            if (!stops.TryGetValue(resource, out var stop))
            {
                var dependents = _runners.Keys.Where(r => DependenciesOf(r).Contains(resource)).ToList();
                stops[resource] = stop = StopResourceAsync(resource, dependents.Select(StopAfterDependents).ToList());
            }

            return stop;
        }

        await Task.WhenAll(_runners.Keys.Select(StopAfterDependents).ToList()).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task StopResourceAsync(IResource resource, List<Task> dependentsStopped)
    {
        await Task.WhenAll(dependentsStopped).ConfigureAwait(false);
        try
        {
            // A start still in progress is cancelled first, so it cannot launch a process after the stop.
            await _starts[resource].ConfigureAwait(false);
            await _runners[resource].StopAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Stopping '{Resource}' failed.", resource.Name);
        }
    }

    private static IEnumerable<IResource> DependenciesOf(IResource resource)
    {
        var related = resource.Annotations.OfType<ResourceRelationshipAnnotation>().Select(a => a.Resource);
        return resource is IResourceWithParent<IResource> child ? related.Append(child.Parent) : related;
    }

    private IResourceRunner? CreateRunner(IResource resource) => resource switch
    {
        PostgresServerResource server => new PostgresServerRunner(server, context),
        PostgresDatabaseResource database => new PostgresDatabaseRunner(database, context),
        ProjectResource project => new ProjectRunner(project, context),
        _ => null,
    };

    private void ResolveParameters()
    {
        foreach (var parameter in model.Resources.OfType<ParameterResource>())
        {
            var value = context.Configuration[$"Parameters:{parameter.Name}"];
            var source = "from configuration";
            if (value is null && parameter.PersistGeneratedValue)
            {
                value = context.State.GetStoredParameter(parameter.Name);
                source = $"kept in {context.State.ParametersFile}";
            }

            if (value is null && parameter.Generate is { } generate)
            {
                value = generate.GenerateValue();
                source = "generated for this run";
                if (parameter.PersistGeneratedValue)
                {
                    context.State.StoreParameter(parameter.Name, value);
                    source = $"generated, kept in {context.State.ParametersFile}";
                }
            }

            if (value is null)
            {
                throw new DistributedApplicationException(
                    $"Parameter '{parameter.Name}' has no value: set Parameters:{parameter.Name} in configuration "
                    + $"(for example the environment variable Parameters__{parameter.Name.Replace('-', '_')}).");
            }

            parameter.Resolve(value);
            context.Notifications.PublishUpdate(parameter, s => s with { State = KnownResourceStates.Running, HealthStatus = HealthStatus.Healthy });
            if (parameter.Secret)
            {
                // Enough to tell values apart and to find the whole one; never the value itself.
                logger.LogInformation("Secret parameter '{Parameter}': {Masked} ({Source}).", parameter.Name, Mask(value), source);
            }
        }
    }

    private static string Mask(string value) => value.Length >= 16 ? $"{value[..3]}{new string('*', 8)}" : new string('*', 8);

    private IEnumerable<int> FixedPorts() => context.Options.RandomizePorts
        ? []
        : model.Resources.SelectMany(r => r.Annotations.OfType<EndpointAnnotation>()).Select(e => e.Port).OfType<int>();

    private IEnumerable<string> FixedPortsInUse()
    {
        foreach (var resource in model.Resources)
        {
            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
            {
                if (!context.Options.RandomizePorts && endpoint.Port is { } port && !PortAllocator.IsFree(port))
                {
                    yield return $"Port {port} for '{resource.Name}' is already in use by another program; stop it "
                        + $"(find it with: ss -ltnp 'sport = :{port}') and start again.";
                }
            }
        }
    }

    private async Task StartWhenReadyAsync(IResourceRunner runner, CancellationToken cancellationToken)
    {
        var resource = runner.Resource;
        try
        {
            await runner.OpenEndpointsAsync(cancellationToken).ConfigureAwait(false);
            var waits = resource.Annotations.OfType<WaitAnnotation>().ToList();
            if (waits.Count > 0 && runner is ProjectRunner { CanLaunchHeld: true } project)
            {
                // Its process starts now but is held before its host starts: what the wait is for is still honoured,
                // and the runtime's start no longer follows it.
                project.LaunchFirstReplicaHeld(cancellationToken);
            }

            foreach (var wait in waits)
            {
                await WaitForAsync(wait, cancellationToken).ConfigureAwait(false);
            }

            await runner.StartAsync(cancellationToken).ConfigureAwait(false);
            _ = PublishReadyWhenHealthyAsync(resource, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await DiscardHeldAsync(runner).ConfigureAwait(false);
            context.Notifications.PublishUpdate(resource, s => s.IsTerminal || s.State == KnownResourceStates.Running ? s : s with { State = KnownResourceStates.NotStarted });
        }
        catch (Exception ex)
        {
            await DiscardHeldAsync(runner).ConfigureAwait(false);
            var reason = ex is DistributedApplicationException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            logger.LogError("'{Resource}' failed to start: {Reason}", resource.Name, reason);
            context.Notifications.PublishUpdate(resource, s => s with { State = KnownResourceStates.FailedToStart, FailureReason = reason, HealthStatus = null });
        }
    }

    private static Task DiscardHeldAsync(IResourceRunner runner) => runner is ProjectRunner project ? project.DiscardHeldAsync() : Task.CompletedTask;

    private async Task WaitForAsync(WaitAnnotation wait, CancellationToken cancellationToken)
    {
        var name = wait.Resource.Name;
        if (wait.WaitType == WaitType.WaitForCompletion)
        {
            var completed = await context.Notifications.WaitForResourceAsync(name, e => e.Snapshot.IsTerminal, cancellationToken).ConfigureAwait(false);
            if (completed.Snapshot.ExitCode != wait.ExitCode)
            {
                var outcome = completed.Snapshot.ExitCode is { } code ? $"exited with code {code}" : completed.Snapshot.State;
                throw new DistributedApplicationException($"it waits for '{name}' to complete, and '{name}' {outcome}.");
            }

            return;
        }

        var ready = await context.Notifications.WaitForResourceAsync(
            name,
            e => e.Snapshot.IsTerminal || (e.Snapshot.State == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy),
            cancellationToken).ConfigureAwait(false);
        if (ready.Snapshot.IsTerminal)
        {
            throw new DistributedApplicationException($"it waits for '{name}', which is {ready.Snapshot.State}.");
        }

        await _readyHandled[wait.Resource].Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishReadyWhenHealthyAsync(IResource resource, CancellationToken cancellationToken)
    {
        var completion = _readyHandled[resource];
        try
        {
            var ready = await context.Notifications.WaitForResourceAsync(
                resource.Name,
                e => e.Snapshot.IsTerminal || (e.Snapshot.State == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy),
                cancellationToken).ConfigureAwait(false);
            logger.LogDebug("'{Resource}' ready after {Milliseconds:0} ms.", resource.Name, _sinceStart.Elapsed.TotalMilliseconds);
            if (!ready.Snapshot.IsTerminal)
            {
                await eventing.PublishAsync(new ResourceReadyEvent(resource, services), cancellationToken).ConfigureAwait(false);
            }

            completion.TrySetResult();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            completion.TrySetCanceled(cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "A handler of '{Resource}' becoming ready failed.", resource.Name);
            completion.TrySetException(new DistributedApplicationException($"a handler of '{resource.Name}' becoming ready failed: {ex.Message}", ex));
        }
    }

    private async Task ReportStartupAsync()
    {
        await Task.WhenAll(_starts.Values).ConfigureAwait(false);
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        // Long-running resources count as started once healthy; a failure on the way shows as a terminal state.
        foreach (var resource in _runners.Keys.Where(r => !IsAwaitedForCompletion(r)))
        {
            try
            {
                await context.Notifications.WaitForResourceAsync(resource.Name,
                    e => e.Snapshot.IsTerminal || e.Snapshot.HealthStatus is HealthStatus.Healthy or HealthStatus.Degraded, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var failed = context.Notifications.GetCurrentStates()
            .Where(s => s.State is KnownResourceStates.FailedToStart || (s.State == KnownResourceStates.Exited && s.ExitCode != 0))
            .ToList();
        foreach (var degraded in context.Notifications.GetCurrentStates().Where(s => s.HealthStatus == HealthStatus.Degraded))
        {
            logger.LogWarning("'{Resource}' serves with {Healthy} of {Replicas} replicas healthy.",
                degraded.Name, degraded.Replicas.Count(r => r.HealthStatus == HealthStatus.Healthy), degraded.Replicas.Length);
        }

        if (failed.Count == 0)
        {
            var urls = _runners.Keys.OfType<ProjectResource>()
                .SelectMany(p => p.Annotations.OfType<EndpointAnnotation>().Where(e => e.AllocatedEndpoint is not null).Select(e => $"{p.Name} at {e.AllocatedEndpoint!.Url}"));
            logger.LogInformation("Distributed application started in {Seconds:0.0} s: {Urls}. Press Ctrl+C to shut down.",
                _sinceStart.Elapsed.TotalSeconds, string.Join(", ", urls));
            return;
        }

        var summary = string.Join("; ", failed.Select(s => $"'{s.Name}' {s.State}: {s.FailureReason}"));
        if (context.Options.StopOnStartupFailure)
        {
            logger.LogCritical("The application could not start ({Summary}); stopping.", summary);
            FailureExitCode = 1;
            lifetime.StopApplication();
        }
        else
        {
            logger.LogError("Part of the application could not start ({Summary}).", summary);
        }
    }

    /// <summary>Runs a command on a resource, such as a rolling restart of a project's replicas.</summary>
    public Task ExecuteCommandAsync(string resourceName, string commandName, CancellationToken cancellationToken)
    {
        var runner = _runners.Values.FirstOrDefault(r => r.Resource.Name == resourceName)
            ?? _runners.Values.OfType<ProjectRunner>().FirstOrDefault(r => r.HasReplica(resourceName))
            ?? throw new KeyNotFoundException($"There is no running resource named '{resourceName}'.");
        if (_stopping.IsCancellationRequested)
        {
            throw new InvalidOperationException("The app host is shutting down.");
        }

        if (runner is not ProjectRunner project || commandName is not (KnownResourceCommands.Restart or KnownResourceCommands.Stop or KnownResourceCommands.Start))
        {
            throw new NotSupportedException($"'{resourceName}' has no command '{commandName}'.");
        }

        if (!CommandsOf(resourceName).Contains(commandName))
        {
            var state = context.Notifications.TryGetCurrentState(resourceName)?.State ?? ReplicaStates(resourceName).FirstOrDefault();
            throw new InvalidOperationException($"'{resourceName}' is {state}: '{commandName}' does not apply to it now.");
        }

        var replica = runner.Resource.Name == resourceName ? null : resourceName;
        return commandName switch
        {
            KnownResourceCommands.Restart => project.RestartAsync(cancellationToken, replica),
            KnownResourceCommands.Stop => project.StopReplicasAsync(replica),
            _ => project.StartReplicasAsync(cancellationToken, replica),
        };
    }

    /// <summary>
    /// The commands a project or one of its replicas accepts in its present state, as Aspire offers them: Stop and Restart
    /// while a process runs, Start once it has stopped, finished or failed (a completed worker can run again, but
    /// there is nothing to stop or restart). A resource offers what any of its replicas does.
    /// </summary>
    public IReadOnlyList<string> CommandsOf(string resourceName)
    {
        var states = ReplicaStates(resourceName).ToList();
        var running = states.Contains(KnownResourceStates.Running);
        // A replica waiting out its back-off after a crash can be stopped, so it is not restarted again.
        var stoppable = running || states.Contains(KnownResourceStates.Starting);
        var startable = states.Any(KnownResourceStates.TerminalStates.Contains);
        List<string> commands = [];
        if (stoppable)
        {
            commands.Add(KnownResourceCommands.Stop);
        }

        if (startable)
        {
            commands.Add(KnownResourceCommands.Start);
        }

        if (running)
        {
            commands.Add(KnownResourceCommands.Restart);
        }

        return commands;
    }

    /// <summary>The states of a project's replicas, or of the one replica named; none for what is not a project.</summary>
    private IEnumerable<string> ReplicaStates(string name)
    {
        var project = _runners.Values.OfType<ProjectRunner>().FirstOrDefault(r => r.Resource.Name == name || r.HasReplica(name));
        if (project is null || context.Notifications.TryGetCurrentState(project.Resource.Name) is not { } snapshot)
        {
            return [];
        }

        var named = snapshot.Replicas.Where(r => r.Name == name).ToList();
        return (named.Count == 1 && snapshot.Replicas.Length > 1 ? named : [.. snapshot.Replicas]).Select(r => r.State);
    }

    private bool IsAwaitedForCompletion(IResource resource) =>
        _runners.Keys.Any(r => r.Annotations.OfType<WaitAnnotation>().Any(w => w.Resource == resource && w.WaitType == WaitType.WaitForCompletion));
}

/// <summary>The resources of the application, in the order they were added.</summary>
public sealed class DistributedApplicationModel(IReadOnlyList<IResource> resources)
{
    /// <summary>Every resource.</summary>
    public IReadOnlyList<IResource> Resources { get; } = resources;
}
