namespace AddressBook.Hosting.Proxy;

/// <summary>One replica behind a proxy: where it listens, whether to send it requests, and how many it is serving.</summary>
internal sealed class ProxyDestination(Uri address)
{
    private int _inFlight;
    private long _served;
    private TaskCompletionSource? _idle;

    public Uri Address { get; } = address;

    /// <summary>Whether its last health check passed and no request since has failed to connect.</summary>
    public volatile bool Healthy;

    private volatile bool _draining;

    /// <summary>Set when it is being taken out: no new requests go to it.</summary>
    public bool Draining => _draining;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>How many requests were sent to it.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>
    /// Counts a request in unless the destination is draining. Counting before looking at the flag, while a
    /// drain raises the flag before counting, means a request is either refused here or waited for there.
    /// </summary>
    public bool TryStartRequest()
    {
        Interlocked.Increment(ref _inFlight);
        if (_draining)
        {
            RequestEnded();
            return false;
        }

        Interlocked.Increment(ref _served);
        return true;
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
        _draining = true;
        // The flag must be visible before in-flight requests are counted; a volatile write alone may be reordered after the read.
        Interlocked.MemoryBarrier();
        if (InFlight == 0)
        {
            return;
        }

        await Task.WhenAny(idle.Task, Task.Delay(timeout)).ConfigureAwait(false);
    }
}
