namespace AddressBook.Hosting.Proxy;

/// <summary>One replica behind a proxy: where it listens, whether to send it requests, and how many it is serving.</summary>
internal sealed class ProxyDestination(Uri address)
{
    /// <summary>Answers after which a replica counts as warm and takes any share of the requests.</summary>
    public const int WarmUpRequests = 64;

    /// <summary>While warming up, a replica may take one request more at a time for every this many it has answered.</summary>
    public const int WarmUpRequestsPerSlot = 8;

    private int _inFlight;
    private long _served;
    private long _answered;
    private TaskCompletionSource? _idle;
    private readonly TaskCompletionSource _firstAnswer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Uri Address { get; } = address;

    /// <summary>Host and port of <see cref="Address"/>, the Host header of every request forwarded to it.</summary>
    public string Authority { get; } = address.Authority;

    public System.Net.EndPoint EndPoint { get; } = System.Net.IPAddress.TryParse(address.Host, out var ip)
        ? new System.Net.IPEndPoint(ip, address.Port)
        : new System.Net.DnsEndPoint(address.Host, address.Port);

    /// <summary>Its idle kept-alive connections, closed when it is taken out.</summary>
    public BackendConnectionPool Connections { get; } = new();

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

    /// <summary>How many requests sent to it have ended, answered or failed.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>Completes when the first request sent to it has ended.</summary>
    public Task FirstAnswer => _firstAnswer.Task;

    /// <summary>
    /// A freshly started replica compiles each code path on its first request: its first answers take a second or more
    /// where a warm one takes milliseconds, and a fair share of a busy endpoint's requests would queue behind them.
    /// So it takes one request at a time at first and one more for every few it has answered, until it is warm
    /// (the slow start of Envoy and HAProxy, counted in answers rather than seconds, so a busy machine simply takes
    /// longer to get there). Null once it is warm.
    /// </summary>
    public int? WarmUpConcurrency => Answered is var answered && answered >= WarmUpRequests
        ? null
        : 1 + (int)(answered / WarmUpRequestsPerSlot);

    public bool IsAtWarmUpConcurrency => WarmUpConcurrency is { } limit && InFlight >= limit;

    public void RequestEnded()
    {
        if (Interlocked.Increment(ref _answered) == 1)
        {
            _firstAnswer.TrySetResult();
        }

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
