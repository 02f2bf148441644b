using System.Net;
using System.Text.Json.Serialization;
using AddressBook.Hosting.Dashboard.Api;
using AddressBook.Hosting.Dashboard.Otlp;
using AddressBook.Hosting.Dashboard.Telemetry;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AddressBook.Hosting.Dashboard;

/// <summary>
/// Where the projects send their telemetry: known once the dashboard listens, read as each process starts. The dashboard
/// starts alongside the resources, so a project waits for <see cref="Ready"/> while PostgreSQL, which sends nothing, does not.
/// </summary>
internal sealed class OtlpExportTarget
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="awaitsDashboard">False when no dashboard runs: then there is nothing to wait for.</param>
    public OtlpExportTarget(bool awaitsDashboard = false)
    {
        if (!awaitsDashboard)
        {
            _ready.SetResult();
        }
    }

    public Uri? Endpoint { get; private set; }

    public string? ApiKey { get; private set; }

    public Task Ready => _ready.Task;

    public void Publish(Uri endpoint, string? apiKey)
    {
        Endpoint = endpoint;
        ApiKey = apiKey;
        _ready.TrySetResult();
    }

    public void Fail(Exception exception) => _ready.TrySetException(exception);
}

/// <summary>
/// The app host's own dashboard, in the app host's process: its pages and their data API on the frontend address,
/// OTLP receivers over gRPC and HTTP/protobuf, each on its own port as in Aspire. It starts while the first resources
/// do; projects start once it listens, so the first process already has somewhere to send its telemetry.
/// </summary>
internal sealed class DashboardServer(
    DashboardOptions options,
    OtlpExportTarget exportTarget,
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceLoggerService logs,
    IServiceProvider appHostServices,
    ILogger<DashboardServer> logger) : IHostedService, IAsyncDisposable
{
    private readonly Dictionary<int, DashboardListener> _listenerByPort = [];
    private WebApplication? _app;
    private ProxyTelemetry? _proxyTelemetry;

    public TelemetryRepository Telemetry { get; } = new(options.Limits, new ReplicaNames(notifications).NameOf);

    public Uri FrontendUrl { get; private set; } = options.FrontendUrl;

    public Uri OtlpGrpcUrl { get; private set; } = options.OtlpGrpcUrl;

    public Uri OtlpHttpUrl { get; private set; } = options.OtlpHttpUrl;

    /// <summary>The token the login link carries; null when anonymous access is allowed.</summary>
    public string? BrowserToken => options.AllowAnonymous ? null : options.BrowserToken;

    /// <summary>The key OTLP clients send in <c>x-otlp-api-key</c>; null when anonymous access is allowed.</summary>
    public string? OtlpApiKey => options.AllowAnonymous ? null : options.OtlpPrimaryApiKey;

    public Uri LoginUrl => BrowserToken is { } token ? new Uri(FrontendUrl, $"/login?t={token}") : FrontendUrl;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The host starts its services one after another up to their first wait, and building the dashboard's web
        // application takes a while of that: on the thread pool, it no longer holds up the orchestrator, whose
        // PostgreSQL start needs nothing of it.
        await Task.Yield();
        try
        {
            await ListenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Projects waiting for somewhere to send telemetry fail with it instead of waiting forever.
            exportTarget.Fail(exception);
            throw;
        }
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(Telemetry);
        builder.Services.AddSingleton(model);
        builder.Services.AddSingleton(notifications);
        builder.Services.AddSingleton(logs);
        builder.Services.AddSingleton(appHostServices.GetRequiredService<ApplicationOrchestrator>());
        builder.Services.AddSingleton<ResourceViews>();
        builder.Services.AddSingleton<ProcessUsageSampler>();

        var ports = new PortAllocator();
        FrontendUrl = Listen(builder, options.FrontendUrl, DashboardListener.Frontend, HttpProtocols.Http1AndHttp2, ports);
        // gRPC needs HTTP/2, which without TLS a client can only speak by prior knowledge: that port speaks nothing else.
        OtlpGrpcUrl = Listen(builder, options.OtlpGrpcUrl, DashboardListener.OtlpGrpc, HttpProtocols.Http2, ports);
        OtlpHttpUrl = Listen(builder, options.OtlpHttpUrl, DashboardListener.OtlpHttp, HttpProtocols.Http1AndHttp2, ports);

        var app = builder.Build();
        var browserAuth = new BrowserTokenAuthentication(BrowserToken);
        var keys = new OtlpApiKeys(OtlpApiKey, options.AllowAnonymous ? null : options.OtlpSecondaryApiKey);
        app.UseRouting();
        app.Use((context, next) =>
        {
            var endpoint = context.GetEndpoint();
            var arrivedOn = _listenerByPort.GetValueOrDefault(context.Connection.LocalPort);
            if (endpoint?.Metadata.GetMetadata<DashboardListener>() is { } listener && listener != arrivedOn)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            if (arrivedOn == DashboardListener.Frontend && endpoint?.Metadata.GetMetadata<IAllowAnonymous>() is null && !browserAuth.IsSignedIn(context))
            {
                return BrowserTokenAuthentication.ChallengeAsync(context);
            }

            return next(context);
        });

        var decoder = new OtlpDecoder(Telemetry);
        app.MapOtlpGrpc(decoder, keys, DashboardListener.OtlpGrpc);
        app.MapOtlpHttp(decoder, keys, DashboardListener.OtlpHttp);
        browserAuth.MapLogin(app, DashboardListener.Frontend);
        app.MapDashboardResources().WithMetadata(DashboardListener.Frontend);
        app.MapDashboardTelemetry().WithMetadata(DashboardListener.Frontend);
        app.MapDashboardEvents().WithMetadata(DashboardListener.Frontend);
        app.MapDashboardAssets(DashboardListener.Frontend);

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new DistributedApplicationException(
                $"The dashboard could not listen on {options.FrontendUrl}, {options.OtlpGrpcUrl} and {options.OtlpHttpUrl}: {ex.Message}. "
                + "Stop what uses those ports, or choose others with ASPNETCORE_URLS, DOTNET_DASHBOARD_OTLP_ENDPOINT_URL and DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL.", ex);
        }

        _app = app;
        _proxyTelemetry = new ProxyTelemetry(Telemetry, model, new TraceSampler(options.Sampling, TimeProvider.System));
        exportTarget.Publish(OtlpGrpcUrl, OtlpApiKey);
        _ = OtlpReceiverWarmUp.RunAsync(OtlpGrpcUrl, OtlpApiKey, logger);
        logger.LogInformation("OTLP receivers: gRPC at {OtlpGrpcUrl}, HTTP/protobuf at {OtlpHttpUrl}.", OtlpGrpcUrl, OtlpHttpUrl);
        if (BrowserToken is null)
        {
            logger.LogWarning("The dashboard is at {Url}, open to anyone who can reach it (DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS).", FrontendUrl);
        }
        else
        {
            logger.LogInformation("Login to the dashboard at {LoginUrl}", LoginUrl);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _proxyTelemetry?.Dispose();
        _proxyTelemetry = null;
        if (_app is not null)
        {
            // Live pages keep their event streams open; they must not hold the app host's shutdown.
            using var quick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            quick.CancelAfter(TimeSpan.FromSeconds(1));
            await _app.StopAsync(quick.Token).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _proxyTelemetry?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    private Uri Listen(WebApplicationBuilder builder, Uri configured, DashboardListener listener, HttpProtocols protocols, PortAllocator ports)
    {
        var port = options.RandomizePorts && !options.Configured.Contains(listener) ? ports.AllocateFree() : configured.Port;
        _listenerByPort[port] = listener;
        var host = configured.Host;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (host is "localhost")
            {
                kestrel.ListenLocalhost(port, o => o.Protocols = protocols);
            }
            else
            {
                var address = host is "*" or "+" or "[::]" ? IPAddress.IPv6Any : IPAddress.Parse(host.Trim('[', ']'));
                kestrel.Listen(address, port, o => o.Protocols = protocols);
            }
        });
        return new UriBuilder(configured) { Port = port, Host = host is "*" or "+" or "[::]" or "0.0.0.0" ? "localhost" : host }.Uri;
    }
}
