using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AddressBook.Hosting;

/// <summary>Publishes resource state changes and lets callers wait for a resource to reach a state.</summary>
public sealed class ResourceNotificationService
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ResourceEvent> _current = new(StringComparer.Ordinal);
    private readonly List<(string Name, Func<ResourceEvent, bool> Predicate, TaskCompletionSource<ResourceEvent> Completion)> _waiters = [];
    private readonly List<Channel<ResourceEvent>> _watchers = [];

    /// <summary>Applies a change to a resource's snapshot and notifies waiters and watchers.</summary>
    public ResourceSnapshot PublishUpdate(IResource resource, Func<ResourceSnapshot, ResourceSnapshot> update)
    {
        List<TaskCompletionSource<ResourceEvent>>? satisfied = null;
        ResourceEvent change;
        lock (_gate)
        {
            var previous = _current.TryGetValue(resource.Name, out var known)
                ? known.Snapshot
                : new ResourceSnapshot { Name = resource.Name, ResourceType = ResourceTypeName(resource) };
            change = new ResourceEvent(resource, update(previous));
            _current[resource.Name] = change;

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var waiter = _waiters[i];
                if (waiter.Name == resource.Name && waiter.Predicate(change))
                {
                    (satisfied ??= []).Add(waiter.Completion);
                    _waiters.RemoveAt(i);
                }
            }

            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(change);
            }
        }

        // Completions run continuations; keep them out of the lock.
        satisfied?.ForEach(completion => completion.TrySetResult(change));
        return change.Snapshot;
    }

    /// <summary>The latest snapshot of a resource, or null when it is unknown.</summary>
    public ResourceSnapshot? TryGetCurrentState(string resourceName)
    {
        lock (_gate)
        {
            return _current.TryGetValue(resourceName, out var known) ? known.Snapshot : null;
        }
    }

    /// <summary>The latest snapshots of every resource, in the order they were first published.</summary>
    public IReadOnlyList<ResourceSnapshot> GetCurrentStates()
    {
        lock (_gate)
        {
            return [.. _current.Values.Select(e => e.Snapshot)];
        }
    }

    /// <summary>Waits until a resource's snapshot satisfies a condition (checked against the current snapshot first).</summary>
    public Task<ResourceEvent> WaitForResourceAsync(string resourceName, Func<ResourceEvent, bool> predicate, CancellationToken cancellationToken = default)
    {
        var completion = new TaskCompletionSource<ResourceEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_current.TryGetValue(resourceName, out var known) && predicate(known))
            {
                return Task.FromResult(known);
            }

            _waiters.Add((resourceName, predicate, completion));
        }

        return completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Waits until a resource reaches one of the given states.</summary>
    public Task<ResourceEvent> WaitForResourceAsync(string resourceName, string targetState, CancellationToken cancellationToken = default) =>
        WaitForResourceAsync(resourceName, e => e.Snapshot.State == targetState, cancellationToken);

    /// <summary>
    /// Waits until a resource runs and its health checks pass. Fails fast with a
    /// <see cref="DistributedApplicationException"/> if the resource ends up in a terminal state instead.
    /// </summary>
    public async Task<ResourceEvent> WaitForResourceHealthyAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        var reached = await WaitForResourceAsync(
            resourceName,
            e => e.Snapshot.IsTerminal || (e.Snapshot.State == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy),
            cancellationToken).ConfigureAwait(false);
        if (reached.Snapshot.IsTerminal)
        {
            throw new DistributedApplicationException(
                $"Resource '{resourceName}' will not become healthy: it is {reached.Snapshot.State}. {reached.Snapshot.FailureReason}".TrimEnd());
        }

        return reached;
    }

    /// <summary>Streams every change from now on, starting with the current snapshot of each resource.</summary>
    public async IAsyncEnumerable<ResourceEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<ResourceEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            foreach (var known in _current.Values)
            {
                channel.Writer.TryWrite(known);
            }

            _watchers.Add(channel);
        }

        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return change;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }

    private static string ResourceTypeName(IResource resource)
    {
        var name = resource.GetType().Name;
        return name.EndsWith("Resource", StringComparison.Ordinal) ? name[..^"Resource".Length] : name;
    }
}
