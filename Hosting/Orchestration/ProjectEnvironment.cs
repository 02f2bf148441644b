using System.Globalization;
using AddressBook.Hosting.ApplicationModel;

namespace AddressBook.Hosting;

/// <summary>The environment a project process starts with: what an Aspire app host gives a project.</summary>
internal static class ProjectEnvironment
{
    /// <summary>What every project gets, run or deployed: the exporter settings Aspire gives .NET projects.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> OtlpExporterDefaults =
    [
        new("OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES", "true"),
        new("OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES", "true"),
        new("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "in_memory"),
    ];

    public static async Task<Dictionary<string, string?>> BuildAsync(ProjectRunner runner, string instanceId, int? listenPort, CancellationToken cancellationToken)
    {
        var context = runner.Context;
        await context.Otlp.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        var environmentName = context.Environment.EnvironmentName;
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // The app host's own URLs and launch profile must not leak into the child.
            ["ASPNETCORE_URLS"] = null,
            ["URLS"] = null,
            ["HTTP_PORTS"] = null,
            ["ASPNETCORE_HTTP_PORTS"] = null,
            ["HTTPS_PORTS"] = null,
            ["ASPNETCORE_HTTPS_PORTS"] = null,
            ["ASPNETCORE_HTTPS_PORT"] = null,
            ["DOTNET_LAUNCH_PROFILE"] = null,
            ["DOTNET_ENVIRONMENT"] = environmentName,
            ["ASPNETCORE_ENVIRONMENT"] = environmentName,
            ["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "true",
            // The app host's own setting (DistributedApplication): a service's code may block where the app host's doesn't.
            [DistributedApplication.InlineSocketCompletionsVariable] = null,
            ["LOGGING__CONSOLE__FORMATTERNAME"] = "simple",
            ["OTEL_SERVICE_NAME"] = runner.Project.Name,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instanceId}",
            // Every trace, except below a span its service chose not to record (health probes).
            ["OTEL_TRACES_SAMPLER"] = "parentbased_always_on",
            ["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based",
        };
        foreach (var (name, value) in OtlpExporterDefaults)
        {
            variables[name] = value;
        }

        if (environmentName == "Development")
        {
            // Telemetry should show up while someone is watching, not after the SDK's default 5-60 s batching.
            variables["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
            variables["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
            variables["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        }

        if (context.Otlp.Endpoint is { } dashboard)
        {
            variables["OTEL_EXPORTER_OTLP_ENDPOINT"] = dashboard.ToString().TrimEnd('/');
            variables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
            if (context.Otlp.ApiKey is { } dashboardKey)
            {
                variables["OTEL_EXPORTER_OTLP_HEADERS"] = $"x-otlp-api-key={dashboardKey}";
            }
        }
        else if (OtlpEndpoint(context) is { } otlpEndpoint)
        {
            variables["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint;
            variables["OTEL_EXPORTER_OTLP_PROTOCOL"] = context.Configuration["DOTNET_DASHBOARD_OTLP_PROTOCOL"] ?? "grpc";
            if (context.Configuration["AppHost:OtlpApiKey"] is { Length: > 0 } apiKey)
            {
                variables["OTEL_EXPORTER_OTLP_HEADERS"] = $"x-otlp-api-key={apiKey}";
            }
        }

        if (listenPort is { } port)
        {
            // Each replica listens on loopback only; clients reach it through the endpoint's proxy, whose
            // X-Forwarded-* headers tell the service who the client was.
            variables["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
            variables["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true";
            if (runner.HttpsEndpoint?.AllocatedEndpoint is { } https)
            {
                // TLS ends at the proxy; the port tells HTTPS redirection where clients reach the service securely.
                variables["ASPNETCORE_HTTPS_PORT"] = https.Port.ToString(CultureInfo.InvariantCulture);
            }
        }

        var callbackContext = new EnvironmentCallbackContext(context.ExecutionContext, cancellationToken);
        foreach (var callback in runner.Project.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(callbackContext).ConfigureAwait(false);
        }

        foreach (var (name, value) in callbackContext.EnvironmentVariables)
        {
            variables[name] = value;
        }

        return variables;
    }

    private static string? OtlpEndpoint(RunnerContext context) =>
        context.Configuration["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"] is { Length: > 0 } url ? url
        : context.Configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] is { Length: > 0 } aspireUrl ? aspireUrl
        : context.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } otelUrl ? otelUrl
        : null;
}

/// <summary>The 'dotnet' host that runs a built project.</summary>
internal static class DotnetMuxer
{
    public static readonly string Path = Find();

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } processPath && System.IO.Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            return processPath;
        }

        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Prepend(Environment.GetEnvironmentVariable("DOTNET_ROOT") ?? "")
            .Append("/usr/share/dotnet").Append("/usr/lib/dotnet");
        return candidates.Select(dir => System.IO.Path.Combine(dir, "dotnet")).FirstOrDefault(File.Exists) ?? "dotnet";
    }
}
