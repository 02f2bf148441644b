using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace AddressBook.Hosting.Proxy;

/// <summary>A kept-alive connection to one replica, with when it was last handed back.</summary>
internal sealed class BackendConnection(ConnectionContext connection)
{
    public PipeReader Input => connection.Transport.Input;

    public PipeWriter Output => connection.Transport.Output;

    public long IdleSince { get; set; }

    public void Close() => _ = CloseAsync();

    private async Task CloseAsync()
    {
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // It was going away anyway.
        }
    }
}

/// <summary>
/// The idle connections to one replica. The most recently used is taken first, so under light load the rest age out
/// instead of all being kept warm; one idle for longer than the replica's keep-alive allowance might be closed under a
/// request, so it is closed here first.
/// </summary>
internal sealed class BackendConnectionPool
{
    // Kestrel, which the replicas run, closes a connection idle for 130 s.
    private static readonly long MaxIdleTicks = (long)(TimeSpan.FromSeconds(60).TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
    private readonly ConcurrentStack<BackendConnection> _idle = new();
    private volatile bool _closed;

    public bool TryRent(out BackendConnection connection)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        while (_idle.TryPop(out connection!))
        {
            // An idle connection has nothing to read: data or an end means the replica closed it or broke the protocol.
            var stale = now - connection.IdleSince > MaxIdleTicks;
            if (!stale && connection.Input.TryRead(out var pending))
            {
                stale = pending.IsCompleted || !pending.Buffer.IsEmpty;
                connection.Input.AdvanceTo(pending.Buffer.Start);
            }

            if (!stale)
            {
                return true;
            }

            connection.Close();
        }

        return false;
    }

    public void Return(BackendConnection connection)
    {
        connection.IdleSince = System.Diagnostics.Stopwatch.GetTimestamp();
        _idle.Push(connection);
        if (_closed)
        {
            CloseAll();
        }
    }

    /// <summary>Closes the idle connections, and any handed back from now on.</summary>
    public void CloseAll()
    {
        _closed = true;
        while (_idle.TryPop(out var connection))
        {
            connection.Close();
        }
    }
}
