using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace AddressBook.Hosting.Proxy;

/// <summary>
/// The one address of a replicated endpoint. Balances every HTTP request (not every connection) across
/// the replicas, so keep-alive clients are spread too; sends a request elsewhere once when its replica
/// could not be reached, or when it was an idempotent request without a body; drains a replica before
/// it is taken out. HTTPS listeners terminate TLS here; replicas get loopback HTTP with <c>X-Forwarded-Proto</c>.
/// </summary>
internal sealed class EndpointProxy(string resourceName, IReadOnlyList<ProxyListener> listeners, TimeSpan drainTimeout) : IAsyncDisposable
{
    private static readonly HashSet<string> IdempotentMethods = new(StringComparer.OrdinalIgnoreCase) { "GET", "HEAD", "OPTIONS", "TRACE" };
    private readonly HttpForwarder _forwarder = new();
    private WebApplication? _app;

    public LoadBalancer Balancer { get; } = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Relaying never blocks, so the socket's continuations may run where they complete instead of being queued to
        // the thread pool first: one thread hop less per read and per write, which on a small machine is much of the cost.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Limits are the service's business; the proxy relays whatever it is given.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            foreach (var listener in listeners)
            {
                kestrel.ListenLocalhost(listener.Port, options =>
                {
                    if (listener.Certificate is { } certificate)
                    {
                        options.UseHttps(certificate);
                    }
                });
            }
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = drainTimeout);
        _app = builder.Build();
        _app.Run(ProxyAsync);
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
    }

    private async Task ProxyAsync(HttpContext context)
    {
        var destination = Balancer.Pick();
        var tried = 0;
        while (destination is not null)
        {
            if (!destination.TryStartRequest())
            {
                // It began draining after it was picked.
                destination = Balancer.Pick(exclude: destination);
                continue;
            }

            tried++;
            ForwardOutcome outcome;
            try
            {
                outcome = await _forwarder.ForwardAsync(context, destination).ConfigureAwait(false);
            }
            finally
            {
                destination.RequestEnded();
            }

            if (outcome is ForwardOutcome.Relayed or ForwardOutcome.ClientAborted || context.Response.HasStarted)
            {
                return;
            }

            if (outcome == ForwardOutcome.NotSent)
            {
                // It refused the connection: it is gone until a health check says otherwise.
                destination.Healthy = false;
            }

            var retryable = outcome == ForwardOutcome.NotSent || (IdempotentMethods.Contains(context.Request.Method) && context.Request.ContentLength is null or 0);
            if (!retryable || tried > 1)
            {
                await WriteProblemAsync(context, StatusCodes.Status502BadGateway, "The service failed while handling the request.").ConfigureAwait(false);
                return;
            }

            destination = Balancer.Pick(exclude: destination);
        }

        await WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, $"No replica of '{resourceName}' is running.").ConfigureAwait(false);
    }

    private static Task WriteProblemAsync(HttpContext context, int status, string detail)
    {
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.Headers.RetryAfter = "1";
        // Browsers get a page and API clients problem details: caches must keep them apart.
        context.Response.Headers.Vary = HeaderNames.Accept;
        if (UnavailablePage.IsPreferredBy(context.Request))
        {
            return UnavailablePage.WriteAsync(context.Response, detail);
        }

        return context.Response.WriteAsJsonAsync(
            new { type = "https://tools.ietf.org/html/rfc9110#section-15.6", title = ReasonPhrases.GetReasonPhrase(status), status, detail },
            options: null, contentType: "application/problem+json");
    }
}

/// <summary>A port the proxy listens on; with a certificate it speaks HTTPS.</summary>
internal sealed record ProxyListener(int Port, System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate = null);
