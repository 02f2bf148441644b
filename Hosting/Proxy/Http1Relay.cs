using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging.Abstractions;

namespace AddressBook.Hosting.Proxy;

/// <summary>How forwarding one request to one replica ended.</summary>
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

/// <summary>
/// Relays HTTP/1.1 between a client connection and kept-alive connections to the replicas, one request at a time, each
/// to the replica the balancer picks. It reads only what framing and routing need from each head and passes the rest
/// on as the bytes that came, bodies included: a proxy that parsed every header into objects and wrote them out again
/// would cost, on a small machine, a good part of what the replica's own work does.
/// </summary>
internal sealed class Http1Relay(string resourceName, LoadBalancer balancer)
{
    private static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(130);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    // A replica may answer a request with a body from its head alone (413 for one too large), or take a moment to say
    // it wants the body; past this the body is sent anyway, as HttpClient does.
    private static readonly TimeSpan ContinueTimeout = TimeSpan.FromSeconds(1);

    // Continuations run where the socket completes, not queued to the thread pool: relaying never blocks, and on two
    // cores each hop to another thread costs about as much as the relaying itself.
    private readonly SocketConnectionContextFactory _backends = new(
        new SocketConnectionFactoryOptions { UnsafePreferInlineScheduling = true }, NullLogger.Instance);

    public async Task RelayAsync(ConnectionContext client, bool secure)
    {
        var exchange = new Exchange(client, secure);
        var closeRequested = client.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(closeRequested, client.ConnectionClosed);
        try
        {
            while (!closeRequested.IsCancellationRequested)
            {
                idle.CancelAfter(KeepAliveTimeout);
                if (!await ReadHeadAsync(client.Transport.Input, exchange.Request, isRequest: true, idle.Token).ConfigureAwait(false))
                {
                    return;
                }

                idle.CancelAfter(Timeout.InfiniteTimeSpan);
                if (!await RelayRequestAsync(exchange).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (BadMessageException ex)
        {
            await WriteProblemAsync(exchange, ex.Status, ex.Message, close: true).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException or ConnectionAbortedException or InvalidDataException)
        {
            // Idle past the keep-alive allowance, asked to close while idle, or gone: nothing is owed to anyone.
        }
    }

    /// <summary>Sends the request in <paramref name="exchange"/> to a replica, a second one if the first failed safely.</summary>
    /// <returns>Whether the client connection may carry another request.</returns>
    private async Task<bool> RelayRequestAsync(Exchange exchange)
    {
        var request = exchange.Request;
        var destination = balancer.Pick();
        var tried = 0;
        while (destination is not null)
        {
            if (!destination.TryStartRequest())
            {
                // It began draining after it was picked.
                destination = balancer.Pick(exclude: destination);
                continue;
            }

            tried++;
            ForwardOutcome outcome;
            try
            {
                outcome = await ForwardAsync(exchange, destination).ConfigureAwait(false);
            }
            finally
            {
                destination.RequestEnded();
            }

            if (outcome == ForwardOutcome.Relayed)
            {
                return exchange.KeepClientOpen;
            }

            if (outcome == ForwardOutcome.ClientAborted || exchange.ResponseStarted)
            {
                exchange.Client.Abort();
                return false;
            }

            if (outcome == ForwardOutcome.NotSent)
            {
                // It refused the connection: it is gone until a health check says otherwise.
                destination.Healthy = false;
            }

            var retryable = outcome == ForwardOutcome.NotSent || (IsIdempotent(request.Method) && !HasBody(request));
            if (!retryable || tried > 1)
            {
                return await AnswerItselfAsync(exchange, 502, "The service failed while handling the request.").ConfigureAwait(false);
            }

            destination = balancer.Pick(exclude: destination);
        }

        return await AnswerItselfAsync(exchange, 503, $"No replica of '{resourceName}' is running.").ConfigureAwait(false);
    }

    /// <summary>Answers with a problem; the connection stays open only if no body of the request is left on it.</summary>
    private static async Task<bool> AnswerItselfAsync(Exchange exchange, int status, string detail)
    {
        var keepOpen = !HasBody(exchange.Request) && !exchange.Request.Close;
        await WriteProblemAsync(exchange, status, detail, close: !keepOpen).ConfigureAwait(false);
        return keepOpen;
    }

    private async Task<ForwardOutcome> ForwardAsync(Exchange exchange, ProxyDestination destination)
    {
        exchange.ResponseStarted = false;
        exchange.ClientMustClose = false;
        BackendConnection backend;
        if (!destination.Connections.TryRent(out backend))
        {
            try
            {
                backend = await ConnectAsync(destination).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
            {
                return ForwardOutcome.NotSent;
            }
        }

        var request = exchange.Request;
        var clientGone = exchange.Client.ConnectionClosed;
        using var span = StartProxySpan(exchange, destination);
        var reusable = false;
        try
        {
            var hasBody = HasBody(request);
            WriteRequestHead(exchange, destination, backend.Output, span);
            await backend.Output.FlushAsync(clientGone).ConfigureAwait(false);

            var response = exchange.Response;
            if (hasBody)
            {
                if (!await SendBodyAfterContinueAsync(exchange, backend).ConfigureAwait(false))
                {
                    // The replica answered from the head alone; the body it did not ask for is still on both connections.
                    exchange.ClientMustClose = true;
                }
            }
            else if (!await ReadFinalHeadAsync(exchange, backend, clientGone).ConfigureAwait(false))
            {
                return ForwardOutcome.Failed;
            }

            span?.SetTag("http.response.status_code", response.Status);
            if (response.Status >= 500)
            {
                span?.SetStatus(ActivityStatusCode.Error);
            }

            var framing = FramingOf(request, response);
            exchange.KeepClientOpen = !exchange.ClientMustClose && !request.Close && framing != Framing.UntilClose;
            WriteResponseHead(exchange);
            exchange.ResponseStarted = true;
            if (!await CopyBodyAsync(backend.Input, exchange.Client.Transport.Output, framing, response.ContentLength ?? 0, exchange.Scanner, clientGone).ConfigureAwait(false))
            {
                return ForwardOutcome.ClientAborted;
            }

            reusable = !response.Close && framing != Framing.UntilClose && !exchange.ClientMustClose;
            if (exchange.ClientMustClose)
            {
                // It is closed all the same: it was told so with the response, before the body was known to end.
                await TryDiscardUnwantedBodyAsync(exchange).ConfigureAwait(false);
            }

            return ForwardOutcome.Relayed;
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            return ForwardOutcome.ClientAborted;
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or InvalidDataException or BadMessageException)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return ForwardOutcome.Failed;
        }
        finally
        {
            if (reusable && !destination.Draining)
            {
                destination.Connections.Return(backend);
            }
            else
            {
                backend.Close();
            }
        }
    }

    /// <summary>
    /// Reads and drops a body the replica answered without wanting, as Kestrel does, so the client that sent it anyway
    /// reads the answer instead of a reset connection, and may go on using the connection. Not for a client that waits
    /// for 100 Continue (it sends nothing more), nor past a size or a time worth spending on it.
    /// </summary>
    private static async Task<bool> TryDiscardUnwantedBodyAsync(Exchange exchange)
    {
        var request = exchange.Request;
        if (request.ExpectsContinue || request.ContentLength > MaxDiscardedBody)
        {
            return false;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(exchange.Client.ConnectionClosed);
        deadline.CancelAfter(DiscardTimeout);
        try
        {
            var framing = request.Chunked ? Framing.Chunked : Framing.Length;
            return await CopyBodyAsync(exchange.Client.Transport.Input, to: null, framing, request.ContentLength ?? MaxDiscardedBody, exchange.Scanner, deadline.Token, limit: MaxDiscardedBody).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException or InvalidDataException)
        {
            return false;
        }
    }

    private const long MaxDiscardedBody = 16 * 1024 * 1024;
    private static readonly TimeSpan DiscardTimeout = TimeSpan.FromSeconds(5);

    private async Task<BackendConnection> ConnectAsync(ProxyDestination destination)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = new CancellationTokenSource(ConnectTimeout);
            await socket.ConnectAsync(destination.EndPoint, timeout.Token).ConfigureAwait(false);
            return new BackendConnection(_backends.Create(socket));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends the body once the replica asks for it (100 Continue), or once it has been quiet for a moment.
    /// </summary>
    /// <returns>False when the replica answered without wanting the body; its response head is then in <see cref="Exchange.Response"/>.</returns>
    private async Task<bool> SendBodyAfterContinueAsync(Exchange exchange, BackendConnection backend)
    {
        var clientGone = exchange.Client.ConnectionClosed;
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(clientGone))
        {
            wait.CancelAfter(ContinueTimeout);
            try
            {
                if (!await ReadHeadAsync(backend.Input, exchange.Response, isRequest: false, wait.Token).ConfigureAwait(false))
                {
                    throw new IOException("The replica closed the connection before it answered.");
                }

                if (exchange.Response.Status >= 200)
                {
                    return false;
                }

                if (exchange.Response.Status == 100 && exchange.Request.ExpectsContinue)
                {
                    await exchange.Client.Transport.Output.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), clientGone).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!clientGone.IsCancellationRequested)
            {
                // Quiet for a moment: send it anyway.
            }
        }

        var request = exchange.Request;
        var framing = request.Chunked ? Framing.Chunked : Framing.Length;
        if (!await CopyBodyAsync(exchange.Client.Transport.Input, backend.Output, framing, request.ContentLength ?? 0, exchange.Scanner, clientGone).ConfigureAwait(false))
        {
            throw new OperationCanceledException(clientGone);
        }

        if (!await ReadFinalHeadAsync(exchange, backend, clientGone).ConfigureAwait(false))
        {
            throw new IOException("The replica closed the connection before it answered.");
        }

        return true;
    }

    /// <summary>Reads response heads until a final one (2xx and up), passing 100 Continue on to a client that asked for it.</summary>
    private static async Task<bool> ReadFinalHeadAsync(Exchange exchange, BackendConnection backend, CancellationToken cancellationToken)
    {
        do
        {
            if (!await ReadHeadAsync(backend.Input, exchange.Response, isRequest: false, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
        while (exchange.Response.Status < 200);

        return true;
    }

    /// <summary>Reads one head into <paramref name="head"/>; false when the connection ended cleanly before one began.</summary>
    private static async Task<bool> ReadHeadAsync(PipeReader reader, MessageHead head, bool isRequest, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var length = MessageHead.FindEnd(buffer);
            if (length > 0)
            {
                if (isRequest)
                {
                    head.ParseRequest(buffer.Slice(0, length));
                }
                else
                {
                    head.ParseResponse(buffer.Slice(0, length));
                }

                reader.AdvanceTo(buffer.GetPosition(length));
                return true;
            }

            if (buffer.Length > MessageHead.MaxLength)
            {
                reader.AdvanceTo(buffer.Start);
                throw isRequest
                    ? new BadMessageException(431, $"The request head is larger than {MessageHead.MaxLength / 1024} KiB.")
                    : new BadMessageException(502, "The service's response head is too large.");
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                if (buffer.IsEmpty)
                {
                    return false;
                }

                throw isRequest ? new IOException("The client went away in the middle of a request head.") : new IOException("The replica closed the connection mid-response.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private enum Framing { None, Length, Chunked, UntilClose }

    // RFC 9112, 6.3: what a response to HEAD, a 1xx, 204 or 304 looks like is decided by the request, not by its fields.
    private static Framing FramingOf(MessageHead request, MessageHead response) =>
        request.Method == "HEAD" || response.Status is < 200 or 204 or 304 ? Framing.None
        : response.Chunked ? Framing.Chunked
        : response.ContentLength is { } length ? (length == 0 ? Framing.None : Framing.Length)
        : Framing.UntilClose;

    /// <summary>
    /// Copies one body, or drops it without a <paramref name="to"/>; false when the receiving side went away or the body
    /// is longer than <paramref name="limit"/>. A sender that ends early is an error.
    /// </summary>
    private static async Task<bool> CopyBodyAsync(PipeReader from, PipeWriter? to, Framing framing, long length, ChunkedBodyScanner scanner, CancellationToken cancellationToken, long limit = long.MaxValue)
    {
        if (framing == Framing.None)
        {
            return to is null || !(await to.FlushAsync(cancellationToken).ConfigureAwait(false)).IsCompleted;
        }

        long copied = 0;

        scanner.Reset();
        var remaining = length;
        while (true)
        {
            var result = await from.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            long take = framing switch
            {
                Framing.Length => Math.Min(remaining, buffer.Length),
                Framing.Chunked => Scan(scanner, buffer),
                _ => buffer.Length,
            };
            if (to is not null)
            {
                foreach (var segment in buffer.Slice(0, take))
                {
                    to.Write(segment.Span);
                }
            }

            from.AdvanceTo(buffer.GetPosition(take));
            remaining -= take;
            copied += take;
            if (copied > limit)
            {
                return false;
            }

            var done = framing switch
            {
                Framing.Length => remaining == 0,
                Framing.Chunked => scanner.IsDone,
                _ => result.IsCompleted,
            };
            if (to is not null && (await to.FlushAsync(cancellationToken).ConfigureAwait(false)).IsCompleted)
            {
                return false;
            }

            if (done)
            {
                return true;
            }

            if (result.IsCompleted)
            {
                throw new IOException("The body ended before its end.");
            }
        }
    }

    private static long Scan(ChunkedBodyScanner scanner, in ReadOnlySequence<byte> buffer)
    {
        long taken = 0;
        foreach (var segment in buffer)
        {
            var used = scanner.Scan(segment.Span);
            taken += used;
            if (scanner.IsDone)
            {
                break;
            }
        }

        return taken;
    }

    private static void WriteRequestHead(Exchange exchange, ProxyDestination destination, PipeWriter to, Activity? span)
    {
        var request = exchange.Request;
        Ascii(to, request.Method);
        Ascii(to, " ");
        Ascii(to, request.Target);
        Ascii(to, request.MinorVersion == 1 ? " HTTP/1.1\r\nHost: " : " HTTP/1.0\r\nConnection: keep-alive\r\nHost: ");
        Ascii(to, destination.Authority);
        Ascii(to, "\r\n");
        request.WriteFields(to, span is null ? KeepForwardedField : KeepForwardedFieldButTrace);

        // Who the client was, for the service's forwarded-headers handling: the replica sees only this proxy.
        var previous = request.Get("X-Forwarded-For");
        Ascii(to, "X-Forwarded-For: ");
        if (previous is { Length: > 0 })
        {
            Latin1(to, previous);
            Ascii(to, ", ");
        }

        Ascii(to, exchange.ClientAddress);
        Ascii(to, exchange.Secure ? "\r\nX-Forwarded-Proto: https\r\n" : "\r\nX-Forwarded-Proto: http\r\n");
        if (request.Host is { } host)
        {
            Ascii(to, "X-Forwarded-Host: ");
            Latin1(to, host);
            Ascii(to, "\r\n");
        }

        if (HasBody(request))
        {
            Ascii(to, "Expect: 100-continue\r\n");
        }

        if (span is not null)
        {
            Ascii(to, "traceparent: ");
            Ascii(to, span.Id!);
            Ascii(to, "\r\n");
            if (span.TraceStateString is { Length: > 0 } traceState)
            {
                Ascii(to, "tracestate: ");
                Latin1(to, traceState);
                Ascii(to, "\r\n");
            }
        }

        Ascii(to, "\r\n");
    }

    private static readonly Func<MessageHead, int, bool> KeepForwardedField = (head, i) =>
        !head.FieldNameIs(i, "Host") && !head.FieldNameIs(i, "Expect") && !head.FieldNameIs(i, "X-Forwarded-For")
        && !head.FieldNameIs(i, "X-Forwarded-Proto") && !head.FieldNameIs(i, "X-Forwarded-Host");

    // While a proxy span is recorded the replica continues it, not the client's context, which is the span's parent.
    private static readonly Func<MessageHead, int, bool> KeepForwardedFieldButTrace = (head, i) =>
        KeepForwardedField(head, i) && !head.FieldNameIs(i, "traceparent") && !head.FieldNameIs(i, "tracestate");

    private static void WriteResponseHead(Exchange exchange)
    {
        var response = exchange.Response;
        var to = exchange.Client.Transport.Output;
        var bytes = response.Bytes;
        to.Write(bytes[..(bytes.IndexOf("\r\n"u8) + 2)]);
        response.WriteFields(to);
        if (!exchange.KeepClientOpen)
        {
            Ascii(to, "Connection: close\r\n");
        }
        else if (exchange.Request.MinorVersion == 0)
        {
            Ascii(to, "Connection: keep-alive\r\n");
        }

        Ascii(to, "\r\n");
    }

    private static async Task WriteProblemAsync(Exchange exchange, int status, string detail, bool close)
    {
        var html = UnavailablePage.IsPreferredBy(exchange.Request.Get("Accept"));
        var body = html
            ? Encoding.UTF8.GetBytes(UnavailablePage.Render(status, detail))
            : JsonSerializer.SerializeToUtf8Bytes(new ProblemBody($"https://tools.ietf.org/html/rfc9110#section-15.{status / 100}", ReasonPhrases.GetReasonPhrase(status), status, detail), ProblemJson.Default.ProblemBody);
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(status).Append(' ').Append(ReasonPhrases.GetReasonPhrase(status)).Append("\r\n")
            .Append(html ? UnavailablePage.Headers : "Content-Type: application/problem+json\r\n")
            .Append("Content-Length: ").Append(body.Length).Append("\r\n")
            // Browsers get a page and API clients problem details: caches must keep them apart.
            .Append("Vary: Accept\r\n")
            .Append(status >= 500 ? "Retry-After: 1\r\n" : "")
            .Append(close ? "Connection: close\r\n" : "")
            .Append("\r\n");
        var to = exchange.Client.Transport.Output;
        try
        {
            Ascii(to, head.ToString());
            to.Write(body);
            await to.FlushAsync(exchange.Client.ConnectionClosed).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException or InvalidOperationException)
        {
            // The client is gone; there is no one to tell.
        }
    }

    private static bool HasBody(MessageHead request) => request.Chunked || request.ContentLength > 0;

    private static bool IsIdempotent(string method) => method is "GET" or "HEAD" or "OPTIONS" or "TRACE";

    private static void Ascii(PipeWriter to, string text)
    {
        var span = to.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        to.Advance(written);
    }

    // Header values may carry obs-text bytes (RFC 9110, 5.5): they were decoded as Latin-1 and go back byte for byte.
    private static void Latin1(PipeWriter to, string text)
    {
        var span = to.GetSpan(text.Length);
        var written = Encoding.Latin1.GetBytes(text, span);
        to.Advance(written);
    }

    // --- Proxy span: the first hop of every request's trace, taken in by the dashboard (Dashboard/ProxyTelemetry.cs). ---
    internal static readonly ActivitySource ActivitySource = new("AddressBook.Hosting.Proxy");

    /// <summary>
    /// Starts a server span continuing the client's trace (W3C traceparent), if anyone listens; the replica is then
    /// sent this span's context.
    /// </summary>
    private static Activity? StartProxySpan(Exchange exchange, ProxyDestination destination)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var request = exchange.Request;
        ActivityContext.TryParse(request.Get("traceparent"), request.Get("tracestate"), isRemote: true, out var parent);
        // The client's context, or none: never whatever happens to be current on this thread.
        Activity.Current = null;
        var path = request.Target.IndexOf('?') is var query and >= 0 ? request.Target[..query] : request.Target;
        var span = ActivitySource.StartActivity($"{request.Method} {path}", ActivityKind.Server, parent);
        if (span is null)
        {
            return null;
        }

        span.SetTag("http.request.method", request.Method);
        span.SetTag("url.path", path);
        span.SetTag("server.port", exchange.LocalPort);
        span.SetTag("network.peer.address", destination.Authority);
        return span;
    }
    // --- End of proxy span. ---

    /// <summary>One client connection's state, reused from request to request.</summary>
    private sealed class Exchange(ConnectionContext client, bool secure)
    {
        public ConnectionContext Client { get; } = client;

        public bool Secure { get; } = secure;

        public MessageHead Request { get; } = new();

        public MessageHead Response { get; } = new();

        public ChunkedBodyScanner Scanner { get; } = new();

        public string ClientAddress { get; } = client.RemoteEndPoint is IPEndPoint remote
            ? (remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address).ToString()
            : "unknown";

        public int LocalPort { get; } = (client.LocalEndPoint as IPEndPoint)?.Port ?? 0;

        /// <summary>Whether the current response's head has gone to the client: past that, failing means cutting it off.</summary>
        public bool ResponseStarted { get; set; }

        /// <summary>Set when the connection is left mid-message (a body not read), so it cannot carry another request.</summary>
        public bool ClientMustClose { get; set; }

        public bool KeepClientOpen { get; set; }
    }
}

internal sealed record ProblemBody(string Type, string? Title, int Status, string Detail);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ProblemBody))]
internal sealed partial class ProblemJson : System.Text.Json.Serialization.JsonSerializerContext;
