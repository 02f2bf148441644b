using System.Globalization;
using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace AddressBook.Hosting;

/// <summary>
/// Runs a project from its build output with the variables Aspire gives a project, and reports it
/// healthy once its <c>/health</c> endpoint answers 200 (at once, for a project without endpoints).
/// </summary>
internal sealed class ProjectRunner(ProjectResource project, RunnerContext context) : IResourceRunner
{
    private static readonly HttpClient HealthClient = new() { Timeout = TimeSpan.FromSeconds(2) };
    private ChildProcess? _process;
    private volatile bool _stopping;

    public IResource Resource => project;

    private IEnumerable<EndpointAnnotation> Endpoints => project.Annotations.OfType<EndpointAnnotation>();

    public IEnumerable<string> Preflight()
    {
        if (!File.Exists(project.Metadata.ExecutablePath))
        {
            yield return $"'{project.Name}' has not been built: {project.Metadata.ExecutablePath} is missing. "
                + "Build the solution (dotnet build), or run the app host with 'dotnet run', which builds it.";
        }
    }

    public void AllocateEndpoints(PortAllocator ports)
    {
        foreach (var endpoint in Endpoints)
        {
            var port = endpoint.Port is { } fixedPort && !context.Options.RandomizePorts ? fixedPort : ports.AllocateFree();
            endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint.UriScheme, "localhost", port);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var environment = await BuildEnvironmentAsync(cancellationToken).ConfigureAwait(false);
        context.Notifications.PublishUpdate(project, s => s with { State = KnownResourceStates.Starting, ExitCode = null, FailureReason = null });
        _process = await ChildProcess.StartAsync(
            new ChildProcessSpec(DotnetMuxer.Path, [project.Metadata.ExecutablePath])
            {
                // As 'dotnet run' does: the project folder is the content root, so its settings and web root are found.
                WorkingDirectory = Path.GetDirectoryName(project.Metadata.ProjectPath),
                Environment = environment,
            },
            (line, isError) => context.Logs.WriteLine(project, line, isError)).ConfigureAwait(false);

        var hasHealthEndpoint = Endpoints.Any(e => e.UriScheme == "http");
        context.Notifications.PublishUpdate(project, s => s with
        {
            State = KnownResourceStates.Running,
            ProcessId = _process.ProcessId,
            StartedAt = DateTimeOffset.UtcNow,
            StoppedAt = null,
            HealthStatus = hasHealthEndpoint ? null : HealthStatus.Healthy,
            Urls = [.. Endpoints.Select(e => e.AllocatedEndpoint!.Url)],
        });

        _ = WatchExitAsync(_process);
        if (hasHealthEndpoint)
        {
            _ = WaitUntilHealthyAsync(_process, cancellationToken);
        }
    }

    public async Task StopAsync()
    {
        _stopping = true;
        if (_process is { HasExited: false } process)
        {
            context.Notifications.PublishUpdate(project, s => s with { State = KnownResourceStates.Stopping });
            await process.StopAsync((Signals.SIGTERM, context.Options.StopGracePeriod)).ConfigureAwait(false);
        }
    }

    private async Task<Dictionary<string, string?>> BuildEnvironmentAsync(CancellationToken cancellationToken)
    {
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
            ["DOTNET_LAUNCH_PROFILE"] = null,
            ["DOTNET_ENVIRONMENT"] = environmentName,
            ["ASPNETCORE_ENVIRONMENT"] = environmentName,
            ["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "true",
            ["LOGGING__CONSOLE__FORMATTERNAME"] = "simple",
            ["OTEL_SERVICE_NAME"] = project.Name,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={project.Name}-{Guid.NewGuid().ToString("N")[..8]}",
            ["OTEL_TRACES_SAMPLER"] = "always_on",
            ["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
        };

        if (context.Environment.EnvironmentName == "Development")
        {
            // Telemetry should show up while someone is watching, not after the SDK's default 5-60 s batching.
            variables["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
            variables["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
            variables["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        }

        if (OtlpEndpoint is { } otlpEndpoint)
        {
            variables["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint;
            variables["OTEL_EXPORTER_OTLP_PROTOCOL"] = context.Configuration["DOTNET_DASHBOARD_OTLP_PROTOCOL"] ?? "grpc";
            if (context.Configuration["AppHost:OtlpApiKey"] is { Length: > 0 } apiKey)
            {
                variables["OTEL_EXPORTER_OTLP_HEADERS"] = $"x-otlp-api-key={apiKey}";
            }
        }

        var urls = Endpoints.Where(e => e.UriScheme is "http" or "https").Select(e => e.AllocatedEndpoint!.Url).ToList();
        if (urls.Count > 0)
        {
            variables["ASPNETCORE_URLS"] = string.Join(';', urls);
        }

        var callbackContext = new EnvironmentCallbackContext(context.ExecutionContext, cancellationToken);
        foreach (var callback in project.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(callbackContext).ConfigureAwait(false);
        }

        foreach (var (name, value) in callbackContext.EnvironmentVariables)
        {
            variables[name] = value;
        }

        return variables;
    }

    private string? OtlpEndpoint =>
        context.Configuration["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"] is { Length: > 0 } url ? url
        : context.Configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] is { Length: > 0 } aspireUrl ? aspireUrl
        : context.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } otelUrl ? otelUrl
        : null;

    private async Task WaitUntilHealthyAsync(ChildProcess process, CancellationToken cancellationToken)
    {
        var endpoint = Endpoints.First(e => e.UriScheme == "http").AllocatedEndpoint!;
        // Polled on 127.0.0.1: 'localhost' would try ::1 first and can cost a failed connect every time.
        var healthUrl = $"http://127.0.0.1:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}/health";
        while (!process.HasExited && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await HealthClient.GetAsync(healthUrl, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    context.Notifications.PublishUpdate(project, s => s.ProcessId == process.ProcessId ? s with { HealthStatus = HealthStatus.Healthy } : s);
                    return;
                }

                context.Notifications.PublishUpdate(project, s => s.ProcessId == process.ProcessId ? s with { HealthStatus = HealthStatus.Unhealthy } : s);
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A health check that timed out is just not healthy yet.
            }

            try
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WatchExitAsync(ChildProcess process)
    {
        var exitCode = await process.Exited.ConfigureAwait(false);
        var expected = _stopping || exitCode == 0;
        if (!expected)
        {
            context.Logger.LogError("'{Resource}' exited with code {ExitCode}. {Tail}", project.Name, exitCode, context.TailOf(project));
        }

        context.Notifications.PublishUpdate(project, s => s with
        {
            State = expected ? KnownResourceStates.Finished : KnownResourceStates.Exited,
            ExitCode = exitCode,
            ProcessId = null,
            StoppedAt = DateTimeOffset.UtcNow,
            HealthStatus = null,
            FailureReason = expected ? null : $"exited with code {exitCode}",
        });
    }
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
