using System.Net;
using System.Net.Sockets;
using System.Text;
using AddressBook.Hosting.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AddressBook.Tests.Proxy;

/// <summary>What the endpoint relays between a client and a replica: headers both ways, as sent, whole bodies however framed, and a clear answer to what it cannot relay.</summary>
public sealed class Http1RelayTests : IAsyncLifetime
{
    private WebApplication? _replica;
    private EndpointProxy? _proxy;
    private readonly HttpClient _client = new();
    private Uri _endpoint = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _replica = builder.Build();
        _replica.MapMethods("/echo/{*rest}", ["GET", "HEAD"], (HttpContext context) =>
        {
            var response = context.Response;
            response.Headers.Append("Set-Cookie", "first=1; Path=/");
            response.Headers.Append("Set-Cookie", "second=2; Path=/");
            response.Headers["X-Replica-Note"] = "a, b";
            var request = context.Request;
            var lines = new StringBuilder()
                .AppendLine($"path={request.Path}{request.QueryString}")
                .AppendLine($"notes={string.Join('|', request.Headers["X-Client-Note"].ToArray())}")
                .AppendLine($"forwarded-for={request.Headers["X-Forwarded-For"]}")
                .AppendLine($"forwarded-host={request.Headers["X-Forwarded-Host"]}")
                .Append('x', 200_000);
            return Results.Text(lines.ToString(), "text/plain; charset=utf-8");
        });
        _replica.MapPost("/echo", async (HttpRequest request) => Results.Text($"{request.ContentType} {await new StreamReader(request.Body).ReadToEndAsync()}"));
        _replica.MapPost("/small", (HttpRequest request) => request.ContentLength > 16 ? Results.StatusCode(413) : Results.Text("taken"));
        _replica.MapGet("/empty", () => Results.NoContent());
        _replica.MapGet("/streamed", async (HttpResponse response) =>
        {
            // No length: the response goes out in chunks, flushed one by one.
            for (var i = 0; i < 3; i++)
            {
                await response.WriteAsync($"part{i};");
                await response.Body.FlushAsync();
            }
        });
        await _replica.StartAsync();

        var port = FreeLoopbackPort();
        _proxy = new EndpointProxy("api", [new ProxyListener(port)], TimeSpan.FromSeconds(5));
        _proxy.Balancer.Add(new ProxyDestination(new Uri(_replica.Urls.Single())) { Healthy = true });
        await _proxy.StartAsync(CancellationToken.None);
        _endpoint = new Uri($"http://127.0.0.1:{port}");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_proxy is not null)
        {
            await _proxy.StopAsync();
            await _proxy.DisposeAsync();
        }

        if (_replica is not null)
        {
            await _replica.DisposeAsync();
        }
    }

    [Fact]
    public async Task Response_headers_keep_every_value_as_the_replica_sent_it_and_the_body_arrives_whole()
    {
        using var response = await _client.GetAsync(new Uri(_endpoint, "/echo/a%20b/c?q=%C3%A9t%C3%A9&tag=x"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["first=1; Path=/", "second=2; Path=/"], response.Headers.GetValues("Set-Cookie"));
        Assert.Equal("a, b", Assert.Single(response.Headers.NonValidated["X-Replica-Note"]));
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("path=/echo/a%20b/c?q=%C3%A9t%C3%A9&tag=x", body, StringComparison.Ordinal);
        Assert.EndsWith(new string('x', 200_000), body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_sent_on_several_lines_reaches_the_replica_with_every_value_and_the_forwarding_headers()
    {
        // Raw HTTP: HttpClient would join the values on one line itself. The lines reach the replica as they were sent.
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _endpoint.Port);
        var stream = socket.GetStream();
        var request = $"GET /echo/headers HTTP/1.1\r\nHost: 127.0.0.1:{_endpoint.Port}\r\nX-Client-Note: one\r\nX-Client-Note: two\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        var response = (await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync()).Replace("\r\n", "\n");

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Contains("\nnotes=one|two\n", response, StringComparison.Ordinal);
        Assert.Contains("\nforwarded-for=127.0.0.1\n", response, StringComparison.Ordinal);
        Assert.Contains($"\nforwarded-host=127.0.0.1:{_endpoint.Port}\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_and_its_content_headers_reach_the_replica()
    {
        using var content = new StringContent("{\"firstName\":\"Ada\"}", Encoding.UTF8, "application/json");

        using var response = await _client.PostAsync(new Uri(_endpoint, "/echo"), content);

        Assert.Equal("application/json; charset=utf-8 {\"firstName\":\"Ada\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_chunked_request_body_and_a_chunked_response_arrive_whole()
    {
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string('z', 100_000))));
        content.Headers.ContentType = new("text/plain");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_endpoint, "/echo")) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _client.SendAsync(request);
        using var streamed = await _client.GetAsync(new Uri(_endpoint, "/streamed"));

        Assert.Equal("text/plain " + new string('z', 100_000), await response.Content.ReadAsStringAsync());
        Assert.True(streamed.Headers.TransferEncodingChunked);
        Assert.Equal("part0;part1;part2;", await streamed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Responses_without_a_body_and_answers_to_head_keep_the_connection_in_step()
    {
        var exchange = await RawAsync(
            "HEAD /echo/x HTTP/1.1\r\nHost: a\r\n\r\nGET /empty HTTP/1.1\r\nHost: a\r\n\r\nGET /echo/y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");

        var statuses = System.Text.RegularExpressions.Regex.Matches(exchange, "HTTP/1.1 (\\d{3})").Select(m => m.Groups[1].Value);
        Assert.Equal(["200", "204", "200"], statuses);
        Assert.Contains("path=/echo/y", exchange, StringComparison.Ordinal);
        Assert.DoesNotContain("path=/echo/x", exchange, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_http_1_0_client_gets_its_answer_and_the_connection_closed()
    {
        var exchange = await RawAsync("GET /echo/old HTTP/1.0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200", exchange, StringComparison.Ordinal);
        Assert.Contains("path=/echo/old", exchange, StringComparison.Ordinal);
        Assert.EndsWith(new string('x', 1000), exchange, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_expecting_continue_is_told_to_go_on_and_a_refusal_from_the_head_is_relayed()
    {
        var continued = await RawAsync("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n", then: "hello");
        using var tooLarge = new StringContent(new string('b', 1000));

        using var refused = await _client.PostAsync(new Uri(_endpoint, "/small"), tooLarge);

        Assert.StartsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200", continued, StringComparison.Ordinal);
        Assert.EndsWith("text/plain hello", continued, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
    }

    [Theory]
    [InlineData("GET /echo/a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "400")]
    [InlineData("GET /echo/a HTTP/1.1\r\nHost: a\r\nBad Header: 1\r\n\r\n", "400")]
    [InlineData("GET /echo/a HTTP/1.1\r\n\r\n", "400")]
    [InlineData("GET /echo/a HTTP/2.0\r\nHost: a\r\n\r\n", "505")]
    public async Task A_malformed_request_gets_problem_details_and_never_reaches_the_replica(string request, string status)
    {
        var exchange = await RawAsync(request);

        Assert.StartsWith($"HTTP/1.1 {status}", exchange, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", exchange, StringComparison.Ordinal);
        Assert.Contains($"\"status\":{status}", exchange, StringComparison.Ordinal);
        Assert.DoesNotContain("path=", exchange, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_head_larger_than_the_limit_is_refused_with_431()
    {
        var exchange = await RawAsync($"GET /echo/a HTTP/1.1\r\nHost: a\r\nX-Big: {new string('q', 40_000)}\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 431", exchange, StringComparison.Ordinal);
    }

    /// <summary>Sends raw bytes, then <paramref name="then"/> once the first response line is in, and reads to the end.</summary>
    private async Task<string> RawAsync(string request, string? then = null)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _endpoint.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var received = new MemoryStream();
        var buffer = new byte[65536];
        if (then is not null)
        {
            while (!Encoding.ASCII.GetString(received.ToArray()).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer);
                Assert.NotEqual(0, n);
                received.Write(buffer, 0, n);
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(then));
        }

        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
