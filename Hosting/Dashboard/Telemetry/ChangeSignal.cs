namespace AddressBook.Hosting.Dashboard.Telemetry;

/// <summary>A version number that waiters can await the next change of; many waiters, no queue to grow.</summary>
internal sealed class ChangeSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    public long Version => Interlocked.Read(ref _version);

    public void Notify()
    {
        Interlocked.Increment(ref _version);
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Completes once the version is past <paramref name="seen"/>.</summary>
    public Task WaitPastAsync(long seen, CancellationToken cancellationToken)
    {
        var next = Volatile.Read(ref _next);
        return Version != seen ? Task.CompletedTask : next.Task.WaitAsync(cancellationToken);
    }
}
