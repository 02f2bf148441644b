using System.Globalization;
using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace AddressBook.Hosting.Publishing;

/// <summary>
/// Writes <c>docker-compose.yaml</c> and its <c>.env</c>: one service per workload, waits as <c>depends_on</c>
/// conditions, probes as healthchecks, replicas, memory limits and restart policies as Compose has them.
/// Every parameter is a variable of <c>.env</c>, the only file that holds a secret.
/// </summary>
internal sealed class ComposePublisher(DeploymentModel model, PublishingOptions options, IConfiguration configuration, TextWriter warnings) : IExpressionTarget
{
    public const string ComposeFileName = "docker-compose.yaml";
    public const string EnvFileName = ".env";
    public const string DashboardService = "aspire-dashboard";
    private const string DashboardImage = "mcr.microsoft.com/dotnet/aspire-dashboard:9.5";
    private const string ProxyImage = "docker.io/library/nginx:1.29-alpine";
    private const int DashboardOtlpPort = 18889;
    private const int DashboardUiPort = 18888;

    public async Task<IReadOnlyList<string>> PublishAsync(string outputDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        var envFile = Path.Combine(outputDirectory, EnvFileName);
        var inputs = DeploymentInputs.Resolve(model, configuration, envFile, EnvFileSyntax.ComposeSingleQuoted, warnings);
        var resolver = new ExpressionResolver(model, this);

        var services = new YamlMap();
        var configs = new YamlMap();
        foreach (var workload in model.Workloads)
        {
            services.Add(workload.Name, Service(workload, resolver));
            if (NeedsProxy(workload) is { } published)
            {
                services.Add(ProxyName(workload), ProxyService(workload, published));
                configs.Add(ProxyName(workload), new YamlMap { { "content", ProxyConfiguration(workload, published) } });
            }
        }

        if (options.Dashboard)
        {
            services.Add(DashboardService, new YamlMap
            {
                { "image", DashboardImage },
                // Telemetry only: the dashboard shows it without a login, on the loopback interface alone.
                { "environment", new YamlMap { { "DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS", "true" } } },
                { "ports", new[] { $"127.0.0.1:{DashboardUiPort}:{DashboardUiPort}" } },
                { "restart", "unless-stopped" },
            });
        }

        var compose = new YamlMap { { "services", services } };
        var volumes = new YamlMap();
        foreach (var mount in model.Workloads.SelectMany(w => w.Mounts).Where(m => m.Type == ContainerMountType.Volume).DistinctBy(m => m.Source))
        {
            volumes.Add(mount.Source, new YamlMap());
        }

        if (volumes.Count > 0)
        {
            compose.Add("volumes", volumes);
        }

        if (configs.Count > 0)
        {
            compose.Add("configs", configs);
        }

        var composeFile = Path.Combine(outputDirectory, ComposeFileName);
        await File.WriteAllTextAsync(composeFile, YamlWriter.Write(compose), cancellationToken).ConfigureAwait(false);
        await DeploymentInputs.WriteEnvFileAsync(envFile, inputs, EnvFileSyntax.ComposeSingleQuoted, cancellationToken).ConfigureAwait(false);
        return [composeFile, envFile];
    }

    private YamlMap Service(DeploymentResource workload, ExpressionResolver resolver)
    {
        var service = new YamlMap { { "image", workload.ImageReference(options) } };
        var environment = new YamlMap();
        foreach (var (name, value) in workload.Environment)
        {
            environment.Add(name, resolver.Resolve(value, workload.Name));
        }

        if (options.Dashboard && workload.Kind == DeploymentKind.Project)
        {
            environment.Add("OTEL_EXPORTER_OTLP_ENDPOINT", $"http://{DashboardService}:{DashboardOtlpPort}");
            environment.Add("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
            environment.Add("OTEL_SERVICE_NAME", workload.Name);
        }

        if (environment.Count > 0)
        {
            service.Add("environment", environment);
        }

        var ports = workload.Bindings.Where(b => b.External && NeedsProxy(workload) is null)
            .Select(b => b.Port is { } port ? $"{port}:{b.ContainerPort}" : Number(b.ContainerPort)).ToList();
        if (ports.Count > 0)
        {
            service.Add("ports", ports);
        }

        var volumes = workload.Mounts.Select(m => new YamlMap
        {
            { "type", m.Type == ContainerMountType.Volume ? "volume" : "bind" },
            { "source", m.Source },
            { "target", m.Target },
            { "read_only", m.IsReadOnly },
        }).ToList();
        if (volumes.Count > 0)
        {
            service.Add("volumes", volumes);
        }

        if (HealthCheck(workload) is { } healthCheck)
        {
            service.Add("healthcheck", healthCheck);
        }

        var dependsOn = new YamlMap();
        foreach (var wait in workload.Waits)
        {
            if (model.WorkloadOf(wait.Resource) is { } dependency && !dependsOn.Any(d => d.Key == dependency.Name))
            {
                dependsOn.Add(dependency.Name, new YamlMap { { "condition", Condition(wait, dependency) } });
            }
        }

        if (dependsOn.Count > 0)
        {
            service.Add("depends_on", dependsOn);
        }

        var deploy = new YamlMap();
        if (workload.IsReplicated)
        {
            deploy.Add("replicas", workload.Replicas);
        }

        if (workload.MemoryLimit is { } memory)
        {
            deploy.Add("resources", new YamlMap { { "limits", new YamlMap { { "memory", ComposeMemory(memory.Bytes) } } } });
        }

        if (deploy.Count > 0)
        {
            service.Add("deploy", deploy);
        }

        // Compose counts restarts but has no backoff settings; a worker that runs to completion must not come back.
        if (workload.RestartPolicy is { } restart)
        {
            service.Add("restart", $"on-failure:{restart.MaxRestarts}");
        }
        else if (workload.RunsToCompletion)
        {
            service.Add("restart", "no");
        }

        return service;
    }

    private static string Condition(WaitAnnotation wait, DeploymentResource dependency) => wait.WaitType switch
    {
        WaitType.WaitForCompletion => "service_completed_successfully",
        _ when HealthCheckProbe(dependency) is not null => "service_healthy",
        _ => "service_started",
    };

    private static ProbeAnnotation? HealthCheckProbe(DeploymentResource workload) =>
        workload.Probe(ProbeType.Readiness) ?? workload.Probe(ProbeType.Liveness);

    private static YamlMap? HealthCheck(DeploymentResource workload)
    {
        List<string>? test = HealthCheckProbe(workload) switch
        {
            CommandProbeAnnotation command => ["CMD", .. command.Command],
            // Microsoft's .NET images carry no curl or wget; bash talks HTTP/1.1 over /dev/tcp well enough for a probe.
            EndpointProbeAnnotation http =>
            [
                "CMD", "bash", "-c",
                $"exec 3<>/dev/tcp/127.0.0.1/{workload.Binding(http.EndpointName).ContainerPort} && "
                + $"printf 'GET {http.Path} HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 2[0-9][0-9] '",
            ],
            _ => null,
        };

        return test is null ? null : new YamlMap
        {
            { "test", test },
            { "interval", "10s" },
            { "timeout", "5s" },
            { "retries", 6 },
            { "start_period", "30s" },
        };
    }

    /// <summary>
    /// Compose publishes a host port for one container only, so replicas that share an external port are reached
    /// through a proxy that balances every request across them, as the app host's own endpoint does.
    /// </summary>
    private static DeploymentBinding? NeedsProxy(DeploymentResource workload) =>
        workload.Replicas > 1 ? workload.Bindings.FirstOrDefault(b => b.External && b.Port is not null && b.Scheme == "http") : null;

    private static string ProxyName(DeploymentResource workload) => $"{workload.Name}-proxy";

    private static YamlMap ProxyService(DeploymentResource workload, DeploymentBinding published) => new()
    {
        { "image", ProxyImage },
        { "ports", new[] { $"{published.Port}:{published.ContainerPort}" } },
        { "configs", new[] { new YamlMap { { "source", ProxyName(workload) }, { "target", "/etc/nginx/conf.d/default.conf" } } } },
        { "depends_on", new YamlMap { { workload.Name, new YamlMap { { "condition", HealthCheckProbe(workload) is null ? "service_started" : "service_healthy" } } } } },
        { "restart", "unless-stopped" },
    };

    // Docker's DNS answers with every replica's address; resolving per request follows replicas as they are replaced.
    // '$$' is how Compose writes a '$' that nginx, not Compose, should read.
    private static string ProxyConfiguration(DeploymentResource workload, DeploymentBinding published) => $$"""
        resolver 127.0.0.11 valid=5s ipv6=off;
        upstream {{workload.Name}} {
            zone {{workload.Name}} 64k;
            server {{workload.Name}}:{{published.ContainerPort}} resolve;
        }
        server {
            listen {{published.ContainerPort}};
            location / {
                proxy_pass http://{{workload.Name}};
                proxy_http_version 1.1;
                proxy_set_header Connection "";
                proxy_set_header Host $$host;
                proxy_set_header X-Forwarded-For $$proxy_add_x_forwarded_for;
                proxy_set_header X-Forwarded-Proto $$scheme;
                proxy_next_upstream error timeout http_502 http_503;
            }
        }

        """;

    // Compose reads 'M' as mebibytes, as Docker does.
    private static string ComposeMemory(long bytes) =>
        bytes % (1024 * 1024) == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024)}M") : Number(bytes);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    string IExpressionTarget.Literal(string text) => text.Replace("$", "$$", StringComparison.Ordinal);

    string IExpressionTarget.ParameterValue(DeploymentResource parameter) => $"${{{DeploymentVariables.NameOf(parameter)}}}";

    string IExpressionTarget.ExternalConnectionString(DeploymentResource resource) => $"${{{DeploymentVariables.NameOf(resource)}}}";

    // Services reach each other on the ports their containers listen on.
    int IExpressionTarget.Port(DeploymentResource resource, DeploymentBinding binding) => binding.ContainerPort;
}
