using System.Net;
using System.Net.Sockets;

namespace AddressBook.Hosting;

/// <summary>Hands out loopback ports that are free now and not given to another resource of this run.</summary>
internal sealed class PortAllocator
{
    private readonly HashSet<int> _given = [];
    private readonly Lock _gate = new();

    public int AllocateFree()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (_gate)
            {
                if (_given.Add(port))
                {
                    return port;
                }
            }
        }
    }

    public bool Reserve(int port)
    {
        lock (_gate)
        {
            return _given.Add(port);
        }
    }

    /// <summary>Whether nothing listens on the port on either loopback address.</summary>
    public static bool IsFree(int port)
    {
        foreach (var address in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback })
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && !Socket.OSSupportsIPv6)
            {
                continue;
            }

            try
            {
                using var listener = new TcpListener(address, port);
                listener.Start();
                listener.Stop();
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return false;
            }
            catch (SocketException)
            {
                // The address family is unusable here (no IPv6 loopback): nothing can listen there either.
            }
        }

        return true;
    }
}
