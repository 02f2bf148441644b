using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using AddressBook.Hosting.ApplicationModel;
using AddressBook.Hosting.Proxy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AddressBook.Hosting;

/// <summary>
/// Runs a project from its build output as one or more replicas. Its HTTP endpoint is a proxy that
/// balances requests across them, which is also what lets a replica be replaced or restarted without
/// its address changing and without failing a request.
/// </summary>
internal sealed class ProjectRunner(ProjectResource project, RunnerContext context) : IResourceRunner
{
    private readonly List<ProjectReplica> _replicas = [];
    private readonly Lock _publishGate = new();
    private EndpointProxy? _proxy;
    private PortAllocator? _ports;

    public IResource Resource => project;

    public ProjectResource Project => project;

    public RunnerContext Context => context;

    public EndpointAnnotation? HttpEndpoint => project.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.UriScheme == "http");

    public EndpointAnnotation? HttpsEndpoint => project.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.UriScheme == "https");

    private X509Certificate2? HttpsCertificate => project.Annotations.OfType<HttpsCertificateAnnotation>().LastOrDefault()?.Certificate;

    public EndpointProxy? Proxy => _proxy;

    /// <summary>A project that others wait to complete (a migration worker) runs once and is never restarted.</summary>
    public bool RunsToCompletion => context.Model.Resources.Any(r =>
        r.Annotations.OfType<WaitAnnotation>().Any(w => w.Resource == project && w.WaitType == WaitType.WaitForCompletion));

    public RestartPolicyAnnotation? RestartPolicy => RunsToCompletion ? null : project.Annotations.OfType<RestartPolicyAnnotation>().LastOrDefault();

    public MemoryLimitAnnotation? MemoryLimit => project.Annotations.OfType<MemoryLimitAnnotation>().LastOrDefault();

    private int ReplicaCount =>
        context.Configuration.GetValue<int?>($"Replicas:{project.Name}") ?? project.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;

    public IEnumerable<string> Preflight()
    {
        if (!File.Exists(project.Metadata.ExecutablePath))
        {
            yield return $"'{project.Name}' has not been built: {project.Metadata.ExecutablePath} is missing. "
                + "Build the solution (dotnet build), or run the app host with 'dotnet run', which builds it.";
        }

        if (HttpsEndpoint is not null && HttpsCertificate is null)
        {
            yield return $"'{project.Name}' has an HTTPS endpoint but no certificate for it: give one with WithHttpsCertificate.";
        }

        if (HttpsEndpoint is not null && HttpEndpoint is null)
        {
            yield return $"'{project.Name}' has an HTTPS endpoint but no HTTP one: its replicas listen on HTTP behind the proxy.";
        }

        if (ReplicaCount < 1)
        {
            yield return $"'{project.Name}' needs at least one replica; Replicas:{project.Name} is {ReplicaCount}.";
        }
    }

    public void AllocateEndpoints(PortAllocator ports)
    {
        _ports = ports;
        foreach (var endpoint in project.Annotations.OfType<EndpointAnnotation>())
        {
            var port = endpoint.Port is { } fixedPort && !context.Options.RandomizePorts ? fixedPort : ports.AllocateFree();
            endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint.UriScheme, "localhost", port);
        }
    }

    public int AllocatePort() => _ports!.AllocateFree();

    public async Task OpenEndpointsAsync(CancellationToken cancellationToken)
    {
        if (_proxy is null && HttpEndpoint?.AllocatedEndpoint is { } endpoint)
        {
            List<ProxyListener> listeners = [new(endpoint.Port)];
            if (HttpsEndpoint?.AllocatedEndpoint is { } httpsEndpoint)
            {
                listeners.Add(new ProxyListener(httpsEndpoint.Port, HttpsCertificate));
            }

            _proxy = new EndpointProxy(project.Name, listeners, context.Options.StopGracePeriod);
            await _proxy.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether its first replica may be launched held while it waits (<see cref="LaunchFirstReplicaHeld"/>): it must
    /// be a service that runs on, not a worker others wait for, and built with the service defaults, whose start gate
    /// holds it; a process without the gate would start at once, before what it waits for is ready.
    /// </summary>
    public bool CanLaunchHeld => !RunsToCompletion
        && File.Exists(Path.Combine(Path.GetDirectoryName(project.Metadata.ExecutablePath) ?? ".", "AddressBook.ServiceDefaults.dll"));

    /// <summary>Launches the first replica held while the resources it waits for get ready; <see cref="StartAsync"/> lets it go on.</summary>
    public void LaunchFirstReplicaHeld(CancellationToken cancellationToken)
    {
        CreateReplicas();
        _replicas[0].LaunchHeld(cancellationToken);
    }

    /// <summary>Stops a replica launched held that is not to start after all.</summary>
    public Task DiscardHeldAsync() => _replicas.Count > 0 ? _replicas[0].DiscardHeldAsync() : Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await OpenEndpointsAsync(cancellationToken).ConfigureAwait(false);
        CreateReplicas();
        PublishState();

        // Cold starts compete for the CPU: the first replica comes up alone, so the endpoint serves as soon as
        // possible, then the others join it together. They wait a little longer, for its first answer through the
        // endpoint: that request is the one someone is waiting on, and on 2 cores three cold starts beside it
        // delayed it by about 300 ms.
        await _replicas[0].StartAsync(cancellationToken).ConfigureAwait(false);
        if (_replicas.Count > 1)
        {
            // Bounds, not deadlines: on a slow machine, or with no request coming, the others simply start a little later.
            await Task.WhenAny(_replicas[0].FirstReadiness, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)).ConfigureAwait(false);
            await Task.WhenAny(_replicas[0].FirstAnswer, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            await Task.WhenAll(_replicas.Skip(1).Select(r => r.StartAsync(cancellationToken))).ConfigureAwait(false);
        }
    }

    private void CreateReplicas()
    {
        if (_replicas.Count > 0)
        {
            return;
        }

        var count = ReplicaCount;
        for (var index = 0; index < count; index++)
        {
            _replicas.Add(new ProjectReplica(this, index, count > 1 ? $"{project.Name}-{index}" : project.Name));
        }
    }

    public async Task StopAsync()
    {
        // The endpoint closes first and drains, so no request is accepted that no replica is left to serve.
        if (_proxy is not null)
        {
            await _proxy.StopAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_replicas.Select(r => r.StopAsync())).ConfigureAwait(false);
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Replaces every replica (or the one named), one at a time, each new one healthy before its predecessor drains;
    /// one that is not running is started.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken, string? replicaName = null)
    {
        foreach (var replica in Select(replicaName))
        {
            if (replica.IsRunning)
            {
                await replica.ReplaceAsync("restart requested", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await replica.StartAgainAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops every replica (or the one named); the endpoint stays open and answers 503 until one runs again.</summary>
    public Task StopReplicasAsync(string? replicaName = null) => Task.WhenAll(Select(replicaName).Select(r => r.StopOnRequestAsync()));

    /// <summary>Starts every replica (or the one named) that is not running.</summary>
    public Task StartReplicasAsync(CancellationToken cancellationToken, string? replicaName = null) =>
        Task.WhenAll(Select(replicaName).Select(r => r.StartAgainAsync(cancellationToken)));

    public bool HasReplica(string replicaName) => _replicas.Any(r => r.Name == replicaName);

    private IEnumerable<ProjectReplica> Select(string? replicaName) =>
        replicaName is null || replicaName == project.Name && !HasReplica(replicaName) ? _replicas.ToList() : _replicas.Where(r => r.Name == replicaName).ToList();

    /// <summary>Recomputes the resource's snapshot from its replicas'.</summary>
    public void PublishState()
    {
        lock (_publishGate)
        {
            var replicas = _replicas.Select(r => r.Snapshot).ToImmutableArray();
            context.Notifications.PublishUpdate(project, previous => Aggregate(previous, replicas));
        }
    }

    private ResourceSnapshot Aggregate(ResourceSnapshot previous, ImmutableArray<ReplicaSnapshot> replicas)
    {
        var live = replicas.Where(r => !r.IsTerminal).ToList();
        string state;
        if (replicas.Length == 0 || replicas.Any(r => r.State == KnownResourceStates.NotStarted))
        {
            state = KnownResourceStates.Starting;
        }
        else if (live.Count == 0)
        {
            state = replicas.All(r => r.State == KnownResourceStates.Finished) ? KnownResourceStates.Finished
                : replicas.Any(r => r.State == KnownResourceStates.Exited) ? KnownResourceStates.Exited
                : KnownResourceStates.FailedToStart;
        }
        else
        {
            state = live.Any(r => r.State == KnownResourceStates.Running) ? KnownResourceStates.Running
                : live.All(r => r.State == KnownResourceStates.Stopping) ? KnownResourceStates.Stopping
                : KnownResourceStates.Starting;
        }

        HealthStatus? health = null;
        if (state == KnownResourceStates.Running && live.All(r => r.HealthStatus is not null))
        {
            var healthy = live.Count(r => r.HealthStatus == HealthStatus.Healthy);
            health = healthy == replicas.Length ? HealthStatus.Healthy : healthy > 0 ? HealthStatus.Degraded : HealthStatus.Unhealthy;
        }

        var single = replicas.Length == 1 ? replicas[0] : null;
        return previous with
        {
            State = state,
            HealthStatus = health,
            ProcessId = single?.ProcessId,
            ExitCode = live.Count == 0 ? replicas.Select(r => r.ExitCode).FirstOrDefault(c => c != 0) ?? replicas.FirstOrDefault()?.ExitCode : null,
            StartedAt = replicas.Select(r => r.StartedAt).Where(t => t is not null).Min(),
            StoppedAt = live.Count == 0 ? DateTimeOffset.UtcNow : null,
            Urls = [.. project.Annotations.OfType<EndpointAnnotation>().Where(e => e.AllocatedEndpoint is not null).Select(e => e.AllocatedEndpoint!.Url)],
            Replicas = replicas,
            RestartCount = replicas.Sum(r => r.RestartCount),
            FailureReason = replicas.Select(r => r.FailureReason).FirstOrDefault(reason => reason is not null),
        };
    }
}
