using System.Security.Cryptography;
using AddressBook.Hosting.Dashboard.Telemetry;
using Microsoft.Extensions.Configuration;

namespace AddressBook.Hosting.Dashboard;

/// <summary>
/// The dashboard's addresses and security, read from the settings Aspire's app host and dashboard read:
/// <c>ASPNETCORE_URLS</c> (the pages), <c>DOTNET_DASHBOARD_OTLP_ENDPOINT_URL</c> / <c>ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL</c>
/// (OTLP over gRPC), <c>DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL</c> / <c>ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL</c>
/// (OTLP over HTTP/protobuf), <c>DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS</c> / <c>ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS</c>,
/// <c>AppHost:BrowserToken</c> / <c>Dashboard:Frontend:BrowserToken</c>, <c>AppHost:OtlpApiKey</c> / <c>Dashboard:Otlp:PrimaryApiKey</c>
/// and <c>Dashboard:Otlp:SecondaryApiKey</c>, <c>Dashboard:TelemetryLimits:*</c> and <c>Dashboard:TraceSampling:*</c>.
/// </summary>
internal sealed record DashboardOptions
{
    public Uri FrontendUrl { get; init; } = new("http://localhost:18888");

    public Uri OtlpGrpcUrl { get; init; } = new("http://localhost:18889");

    public Uri OtlpHttpUrl { get; init; } = new("http://localhost:18890");

    /// <summary>Neither a browser token nor an OTLP API key is asked for: for a machine nobody else can reach.</summary>
    public bool AllowAnonymous { get; init; }

    public string BrowserToken { get; init; } = NewSecret();

    public string OtlpPrimaryApiKey { get; init; } = NewSecret();

    public string? OtlpSecondaryApiKey { get; init; }

    /// <summary>Every listener takes a free port instead of its default one (tests, side-by-side runs); a URL given in
    /// configuration is kept.</summary>
    public bool RandomizePorts { get; init; }

    /// <summary>The listeners whose URL configuration gave.</summary>
    public IReadOnlySet<DashboardListener> Configured { get; init; } = new HashSet<DashboardListener>();

    public TelemetryLimits Limits { get; init; } = new();

    public TraceSamplingOptions Sampling { get; init; } = new();

    public static DashboardOptions From(IConfiguration configuration, bool randomizePorts)
    {
        var defaults = new DashboardOptions();
        var frontend = FirstUrl(configuration["ASPNETCORE_URLS"]);
        var otlpGrpc = FirstUrl(First(configuration, "DOTNET_DASHBOARD_OTLP_ENDPOINT_URL", "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"));
        var otlpHttp = FirstUrl(First(configuration, "DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"));
        (DashboardListener Listener, Uri? Url)[] given = [(DashboardListener.Frontend, frontend), (DashboardListener.OtlpGrpc, otlpGrpc), (DashboardListener.OtlpHttp, otlpHttp)];
        return new DashboardOptions
        {
            FrontendUrl = frontend ?? defaults.FrontendUrl,
            OtlpGrpcUrl = otlpGrpc ?? defaults.OtlpGrpcUrl,
            OtlpHttpUrl = otlpHttp ?? defaults.OtlpHttpUrl,
            Configured = given.Where(g => g.Url is not null).Select(g => g.Listener).ToHashSet(),
            AllowAnonymous = bool.TryParse(First(configuration, "DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS", "ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"), out var anonymous) && anonymous,
            BrowserToken = First(configuration, "AppHost:BrowserToken", "Dashboard:Frontend:BrowserToken") ?? defaults.BrowserToken,
            OtlpPrimaryApiKey = First(configuration, "AppHost:OtlpApiKey", "Dashboard:Otlp:PrimaryApiKey") ?? defaults.OtlpPrimaryApiKey,
            OtlpSecondaryApiKey = First(configuration, "Dashboard:Otlp:SecondaryApiKey"),
            RandomizePorts = randomizePorts,
            Limits = TelemetryLimits.From(configuration),
            Sampling = TraceSamplingOptions.From(configuration),
        };
    }

    private static string? First(IConfiguration configuration, params string[] keys) =>
        keys.Select(key => configuration[key]).FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));

    // ASPNETCORE_URLS may list several; the dashboard serves its pages on the first.
    private static Uri? FirstUrl(string? urls) =>
        urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u)).FirstOrDefault();

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}

/// <summary>Which of the dashboard's listeners an endpoint belongs to; a request that came in on another one gets a 404.</summary>
internal sealed record DashboardListener(string Name)
{
    public static readonly DashboardListener Frontend = new("frontend");
    public static readonly DashboardListener OtlpGrpc = new("otlp-grpc");
    public static readonly DashboardListener OtlpHttp = new("otlp-http");
}
