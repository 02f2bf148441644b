namespace AddressBook.Hosting.Proxy;

/// <summary>One replica behind a proxy: where it listens, whether to send it requests, and how many it is serving.</summary>
internal sealed class ProxyDestination(Uri address, string replicaName)
{
    private int _inFlight;
    private long _served;
    private TaskCompletionSource? _idle;

    public Uri Address { get; } = address;

    public string ReplicaName { get; } = replicaName;

    /// <summary>Whether its last health check passed and no request since has failed to connect.</summary>
    public volatile bool Healthy;

    /// <summary>Set when it is being taken out: no new requests go to it.</summary>
    public volatile bool Draining;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>How many requests were sent to it.</summary>
    public long Served => Interlocked.Read(ref _served);

    public void RequestStarted()
    {
        Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _served);
    }

    public void RequestEnded()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Draining)
        {
            Volatile.Read(ref _idle)?.TrySetResult();
        }
    }

    /// <summary>Stops new requests and waits, up to the timeout, for those in flight to finish.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _idle, idle);
        Draining = true;
        if (InFlight == 0)
        {
            return;
        }

        await Task.WhenAny(idle.Task, Task.Delay(timeout)).ConfigureAwait(false);
    }
}
