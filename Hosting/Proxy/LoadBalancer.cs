namespace AddressBook.Hosting.Proxy;

/// <summary>
/// Picks a replica per request: the healthy one with the fewest requests in flight, rotating among
/// equals so that idle replicas share the work too. When no replica is healthy, for instance while the
/// database is down for all of them, it still picks a live one, so clients get the service's own answer
/// (a 503 with problem details) rather than a proxy error. A replica still warming up is passed over once it has as
/// many requests as it may take (<see cref="ProxyDestination.WarmUpConcurrency"/>), unless every other one is too.
/// </summary>
internal sealed class LoadBalancer
{
    private readonly Lock _gate = new();
    private ProxyDestination[] _destinations = [];
    private uint _rotation;

    public IReadOnlyList<ProxyDestination> Destinations => Volatile.Read(ref _destinations);

    public void Add(ProxyDestination destination)
    {
        lock (_gate)
        {
            _destinations = [.. _destinations, destination];
        }
    }

    public void Remove(ProxyDestination destination)
    {
        lock (_gate)
        {
            _destinations = [.. _destinations.Where(d => d != destination)];
        }

        destination.Connections.CloseAll();
    }

    public ProxyDestination? Pick(ProxyDestination? exclude = null)
    {
        var destinations = Volatile.Read(ref _destinations);
        return Pick(destinations, exclude, requireHealthy: true, requireWarmUpRoom: true)
            ?? Pick(destinations, exclude, requireHealthy: true, requireWarmUpRoom: false)
            ?? Pick(destinations, exclude, requireHealthy: false, requireWarmUpRoom: false);
    }

    private ProxyDestination? Pick(ProxyDestination[] destinations, ProxyDestination? exclude, bool requireHealthy, bool requireWarmUpRoom)
    {
        var start = (int)(Interlocked.Increment(ref _rotation) % (uint)Math.Max(destinations.Length, 1));
        ProxyDestination? best = null;
        for (var i = 0; i < destinations.Length; i++)
        {
            var candidate = destinations[(start + i) % destinations.Length];
            if (candidate == exclude || candidate.Draining || (requireHealthy && !candidate.Healthy)
                || (requireWarmUpRoom && candidate.IsAtWarmUpConcurrency))
            {
                continue;
            }

            if (best is null || candidate.InFlight < best.InFlight)
            {
                best = candidate;
            }
        }

        return best;
    }
}
