using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AddressBook.Hosting.Proxy;

/// <summary>
/// The one address of a replicated endpoint. Balances every HTTP request (not every connection) across
/// the replicas, so keep-alive clients are spread too; sends a request elsewhere once when its replica
/// could not be reached, or when it was an idempotent request without a body; drains a replica before
/// it is taken out. HTTPS listeners terminate TLS here; replicas get loopback HTTP with <c>X-Forwarded-Proto</c>.
/// </summary>
internal sealed class EndpointProxy(string resourceName, IReadOnlyList<ProxyListener> listeners, TimeSpan drainTimeout) : IAsyncDisposable
{
    private WebApplication? _app;

    public LoadBalancer Balancer { get; } = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var relay = new Http1Relay(resourceName, Balancer);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Relaying never blocks, so the socket's continuations may run where they complete instead of being queued to
        // the thread pool first: one thread hop less per read and per write, which on a small machine is much of the cost.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var listener in listeners)
            {
                kestrel.ListenLocalhost(listener.Port, options =>
                {
                    // The relay speaks HTTP/1.1 to clients: TLS must not offer them h2.
                    options.Protocols = HttpProtocols.Http1;
                    if (listener.Certificate is { } certificate)
                    {
                        options.UseHttps(certificate);
                    }

                    var secure = listener.Certificate is not null;
                    options.Run(connection => relay.RelayAsync(connection, secure));
                });
            }
        });
        // Stopping asks every connection to close after the request it is relaying, then waits this long before cutting them.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = drainTimeout);
        _app = builder.Build();
        try
        {
            await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new DistributedApplicationException(
                $"Port {string.Join(" or ", listeners.Select(l => l.Port))} for '{resourceName}' could not be opened: {ex.Message}", ex);
        }
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            // Stops accepting, then lets requests in flight finish, up to the drain timeout.
            await _app.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var destination in Balancer.Destinations)
        {
            destination.Connections.CloseAll();
        }
    }
}

/// <summary>A port the proxy listens on; with a certificate it speaks HTTPS.</summary>
internal sealed record ProxyListener(int Port, System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate = null);
