using AddressBook.Hosting.ApplicationModel;

namespace AddressBook.Hosting;

/// <summary>An event about one resource.</summary>
public interface IDistributedApplicationResourceEvent
{
    /// <summary>The resource the event is about.</summary>
    IResource Resource { get; }
}

/// <summary>Raised once a resource is running and healthy; resources that wait for it start only after every handler has completed.</summary>
/// <param name="Resource">The resource that became ready.</param>
/// <param name="Services">The app host's services.</param>
public sealed record ResourceReadyEvent(IResource Resource, IServiceProvider Services) : IDistributedApplicationResourceEvent;

/// <summary>Subscriptions to application events, such as <see cref="ResourceReadyEvent"/>.</summary>
public sealed class DistributedApplicationEventing
{
    private readonly List<(IResource Resource, Type EventType, Func<IDistributedApplicationResourceEvent, CancellationToken, Task> Handler)> _handlers = [];

    /// <summary>Runs a handler when the event is raised for the resource; the app host waits for it to complete.</summary>
    public void Subscribe<TEvent>(IResource resource, Func<TEvent, CancellationToken, Task> handler) where TEvent : class, IDistributedApplicationResourceEvent =>
        _handlers.Add((resource, typeof(TEvent), (e, ct) => handler((TEvent)e, ct)));

    internal async Task PublishAsync<TEvent>(TEvent resourceEvent, CancellationToken cancellationToken) where TEvent : IDistributedApplicationResourceEvent
    {
        foreach (var (_, _, handler) in _handlers.Where(h => h.Resource == resourceEvent.Resource && h.EventType == typeof(TEvent)).ToList())
        {
            await handler(resourceEvent, cancellationToken).ConfigureAwait(false);
        }
    }
}
