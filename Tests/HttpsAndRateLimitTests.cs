using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AddressBook.Hosting;
using AddressBook.Hosting.ApplicationModel;
using AddressBook.Hosting.Testing;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests;

/// <summary>
/// The app host's model with an HTTPS certificate configured, a low rate limit and the API keys left off, as a local
/// run may: one API replica, so that each client's bucket is in one place.
/// </summary>
public sealed class EdgeAppFixture : IAsyncLifetime
{
    public const int Burst = 10;
    private const string CertificatePassword = "test-certificate-password";

    private readonly string _certificateFile = Path.Combine(Path.GetTempPath(), $"addressbook-test-{Guid.NewGuid():N}.pfx");

    public X509Certificate2 Certificate { get; } = CreateCertificate();

    public DistributedApplication App { get; private set; } = null!;

    public Uri HttpEndpoint => App.GetEndpoint(ResourceNames.Api, "http");

    public Uri HttpsEndpoint => App.GetEndpoint(ResourceNames.Api, "https");

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(_certificateFile, Certificate.Export(X509ContentType.Pfx, CertificatePassword));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(
        [
            $"--Https:Certificate:Path={_certificateFile}",
            $"--Https:Certificate:Password={CertificatePassword}",
            "--Replicas:api=1",
            "--ApiKeys:Required=false",
        ]);
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == ResourceNames.Api))
            .WithEnvironment("RateLimiting__Burst", Burst.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("RateLimiting__PermitsPerSecond", "1");
        App = await builder.BuildAsync();
        await App.StartResourcesAsync(ResourceNames.Api);
    }

    /// <summary>
    /// A client that trusts only the configured certificate and records the one it was shown; its connections come
    /// from <paramref name="localAddress"/>, so that tests can be different clients on one machine.
    /// </summary>
    public HttpClient CreateClient(Uri baseAddress, IPAddress localAddress, Action<X509Certificate2>? seen = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    var presented = new X509Certificate2(certificate!);
                    seen?.Invoke(presented);
                    return presented.Thumbprint == Certificate.Thumbprint;
                },
            },
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress };
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        File.Delete(_certificateFile);
        Certificate.Dispose();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    }
}

/// <summary>HTTPS with a configured certificate, redirection from HTTP, and per-client rate limits.</summary>
public sealed class HttpsAndRateLimitTests(EdgeAppFixture edge) : IClassFixture<EdgeAppFixture>
{
    private static readonly IPAddress OtherClient = IPAddress.Parse("127.0.0.2");

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task Plain_http_is_redirected_to_https_which_presents_the_configured_certificate(string method)
    {
        using var http = edge.CreateClient(edge.HttpEndpoint, IPAddress.Loopback);
        using var redirect = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/api/contacts?limit=1"));

        // 307 keeps the method and body, so a redirected write is not turned into a read.
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        Assert.Equal(new Uri($"https://localhost:{edge.HttpsEndpoint.Port}/api/contacts?limit=1"), redirect.Headers.Location);

        X509Certificate2? presented = null;
        using var https = edge.CreateClient(edge.HttpsEndpoint, IPAddress.Loopback, seen: certificate => presented = certificate);
        using var secure = await https.GetAsync(redirect.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.Equal(edge.Certificate.Thumbprint, presented?.Thumbprint);
        Assert.Contains("script-src 'self'", secure.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_keys_not_required_the_api_is_open()
    {
        using var https = edge.CreateClient(edge.HttpsEndpoint, IPAddress.Loopback);

        using var created = await https.PostAsJsonAsync("/api/contacts", new { firstName = "Open", lastName = "Local" });
        using var read = await https.GetAsync(created.Headers.Location);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task Health_probes_stay_on_plain_http()
    {
        using var http = edge.CreateClient(edge.HttpEndpoint, IPAddress.Loopback);

        using var health = await http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_client_over_its_rate_gets_429_with_retry_after_while_other_clients_are_served()
    {
        using var flooding = edge.CreateClient(edge.HttpsEndpoint, OtherClient);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? rejected = null;
        for (var i = 0; i < EdgeAppFixture.Burst * 3 && rejected is null; i++)
        {
            var response = await flooding.GetAsync("/api/contacts?limit=1");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                rejected = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(rejected);
        using (rejected)
        {
            Assert.All(statuses.SkipLast(1), status => Assert.Equal(HttpStatusCode.OK, status));
            Assert.InRange(statuses.Count - 1, EdgeAppFixture.Burst, EdgeAppFixture.Burst + 5);
            Assert.True(rejected.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {rejected.Headers.RetryAfter}");
            await rejected.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        }

        using var health = await flooding.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var another = edge.CreateClient(edge.HttpsEndpoint, IPAddress.Loopback);
        using var served = await another.GetAsync("/api/contacts?limit=1");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }
}

/// <summary>An HTTPS certificate the app host cannot load is the user's to fix, and is said so plainly.</summary>
public sealed class HttpsConfigurationTests
{
    [Fact]
    public async Task A_certificate_that_cannot_be_loaded_is_reported_in_one_line_and_nothing_starts()
    {
        var state = Directory.CreateTempSubdirectory("apphost-state-");
        try
        {
            await using var host = AppHostProcess.Start(
                $"--AppHost:StateDirectory={state.FullName}", "--AppHost:RandomizePorts=true", "--Https:Certificate:Path=/nonexistent/api.pfx");

            Assert.Equal(1, await host.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            var error = Assert.Single(host.ErrorLines, line => line.Length > 0);
            Assert.StartsWith("error: The HTTPS certificate", error, StringComparison.Ordinal);
            Assert.Contains("/nonexistent/api.pfx, which does not exist", error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(state.FullName, "volumes")), "something started");
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }
}
