using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AddressBook.Hosting.Proxy;

/// <summary>How forwarding one request ended.</summary>
internal enum ForwardOutcome
{
    /// <summary>The replica's response was relayed.</summary>
    Relayed,

    /// <summary>The replica could not be reached and nothing of the request was sent: safe to send elsewhere.</summary>
    NotSent,

    /// <summary>The request failed after part of it may have reached the replica.</summary>
    Failed,

    /// <summary>The client went away.</summary>
    ClientAborted,
}

/// <summary>Relays one HTTP request to a replica and its response back, streaming both bodies.</summary>
internal sealed class HttpForwarder
{
    // Connection-level headers belong to one hop and must not be relayed (RFC 9110, section 7.6.1).
    private static readonly HashSet<string> HopByHopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer", "Upgrade",
        "Proxy-Authenticate", "Proxy-Authorization", "Host",
    };

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        // While a proxy span is current its context goes to the replica; otherwise the client's headers pass through as sent.
        ActivityHeadersPropagator = System.Diagnostics.DistributedContextPropagator.CreateDefaultPropagator(),
    });

    public async Task<ForwardOutcome> ForwardAsync(HttpContext context, ProxyDestination destination)
    {
        var incoming = context.Request;
        var body = HasBody(incoming) ? new ReadTrackingStream(incoming.Body) : null;
        using var request = new HttpRequestMessage(HttpMethod.Parse(incoming.Method), new Uri(string.Concat(destination.Origin, incoming.Path.ToUriComponent(), incoming.QueryString.ToUriComponent())))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Content = body is null ? null : new StreamContent(body),
        };

        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHopHeaders.Contains(name))
            {
                continue;
            }

            if (!TryAddHeader(request.Headers, name, values) && request.Content is { } content)
            {
                TryAddHeader(content.Headers, name, values);
            }
        }

        AddForwardedHeaders(context, request.Headers);
        if (body is not null)
        {
            // A replica may refuse a body from its headers alone (413 for one too large): waiting for its go-ahead means
            // that answer is relayed, where sending on into a connection it has closed would turn it into a 502.
            request.Headers.ExpectContinue = true;
        }

        using var span = StartProxySpan(context, request, destination.Address);

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return ForwardOutcome.ClientAborted;
        }
        catch (HttpRequestException ex)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
            return ex.HttpRequestError == HttpRequestError.ConnectionError && body?.WasRead != true ? ForwardOutcome.NotSent : ForwardOutcome.Failed;
        }

        span?.SetTag("http.response.status_code", (int)response.StatusCode);
        if ((int)response.StatusCode >= 500)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
        }

        using (response)
        {
            var outgoing = context.Response;
            outgoing.StatusCode = (int)response.StatusCode;
            CopyHeaders(response.Headers, outgoing.Headers);
            CopyHeaders(response.Content.Headers, outgoing.Headers);
            try
            {
                await using var responseBody = await response.Content.ReadAsStreamAsync(context.RequestAborted).ConfigureAwait(false);
                // Read straight into Kestrel's output buffers: no copy through a pooled buffer in between.
                await responseBody.CopyToAsync(outgoing.BodyWriter, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return ForwardOutcome.ClientAborted;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                // The replica died mid-response; the client must not take a truncated body for a whole one.
                context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
                context.Abort();
                return ForwardOutcome.Failed;
            }
        }

        return ForwardOutcome.Relayed;
    }

    // --- Proxy span: the first hop of every request's trace, taken in by the dashboard (Dashboard/ProxyTelemetry.cs). ---
    internal static readonly System.Diagnostics.ActivitySource ActivitySource = new("AddressBook.Hosting.Proxy");

    /// <summary>
    /// Starts a server span continuing the client's trace (W3C traceparent), if anyone listens. The client's trace headers
    /// are dropped from the forwarded request so the handler's propagator sends this span's context instead.
    /// </summary>
    private static System.Diagnostics.Activity? StartProxySpan(HttpContext context, HttpRequestMessage request, Uri destination)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        System.Diagnostics.ActivityContext.TryParse(context.Request.Headers.TraceParent, context.Request.Headers.TraceState, isRemote: true, out var parent);
        // The client's context, or none: never whatever happens to be current on this thread.
        System.Diagnostics.Activity.Current = null;
        var span = ActivitySource.StartActivity($"{context.Request.Method} {context.Request.Path}", System.Diagnostics.ActivityKind.Server, parent);
        if (span is null)
        {
            return null;
        }

        request.Headers.Remove("traceparent");
        request.Headers.Remove("tracestate");
        span.SetTag("http.request.method", context.Request.Method);
        span.SetTag("url.path", context.Request.Path.Value);
        span.SetTag("server.port", context.Connection.LocalPort);
        span.SetTag("network.peer.address", destination.Authority);
        return span;
    }
    // --- End of proxy span. ---

    // The string overload for the usual single value: StringValues as an IEnumerable is a boxed copy per header.
    private static bool TryAddHeader(HttpHeaders headers, string name, Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 1 ? headers.TryAddWithoutValidation(name, values.ToString()) : headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    private static void AddForwardedHeaders(HttpContext context, HttpRequestHeaders headers)
    {
        if (context.Connection.RemoteIpAddress is { } client)
        {
            var previous = context.Request.Headers["X-Forwarded-For"].ToString();
            headers.Remove("X-Forwarded-For");
            headers.TryAddWithoutValidation("X-Forwarded-For", previous.Length > 0 ? $"{previous}, {client}" : client.ToString());
        }

        headers.Remove("X-Forwarded-Proto");
        headers.TryAddWithoutValidation("X-Forwarded-Proto", context.Request.Scheme);
        headers.Remove("X-Forwarded-Host");
        headers.TryAddWithoutValidation("X-Forwarded-Host", context.Request.Host.Value);
    }

    // NonValidated: the values as the replica sent them, without parsing each header into its typed form and back.
    private static void CopyHeaders(HttpHeaders from, IHeaderDictionary to)
    {
        foreach (var (name, values) in from.NonValidated)
        {
            if (!HopByHopHeaders.Contains(name))
            {
                to[name] = values.Count == 1 ? values.ToString() : values.ToArray();
            }
        }
    }

    /// <summary>Tells whether any of the request body was taken for sending.</summary>
    private sealed class ReadTrackingStream(Stream inner) : Stream
    {
        public bool WasRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            WasRead = true;
            return inner.Read(buffer, offset, count);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            WasRead = true;
            return inner.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
