using System.Net;
using System.Net.Sockets;
using System.Text;
using AddressBook.Hosting.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AddressBook.Tests.Proxy;

/// <summary>What the endpoint relays between a client and a replica: headers both ways, as sent, and the whole body.</summary>
public sealed class HttpForwarderTests : IAsyncLifetime
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
        _replica.MapGet("/echo/{*rest}", (HttpContext context) =>
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
        // Raw HTTP: HttpClient would join the values on one line itself, and the several-values path would go untested.
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _endpoint.Port);
        var stream = socket.GetStream();
        var request = $"GET /echo/headers HTTP/1.1\r\nHost: 127.0.0.1:{_endpoint.Port}\r\nX-Client-Note: one\r\nX-Client-Note: two\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        var response = (await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync()).Replace("\r\n", "\n");

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Contains("\nnotes=one, two\n", response, StringComparison.Ordinal);
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

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
