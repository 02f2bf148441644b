using System.Globalization;
using AddressBook.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace AddressBook.Hosting.Publishing;

/// <summary>How a resource is deployed.</summary>
internal enum DeploymentKind
{
    /// <summary>A value supplied at deployment time.</summary>
    Parameter,

    /// <summary>A container image run as is.</summary>
    Container,

    /// <summary>A .NET project, run from the image SDK container support builds for it.</summary>
    Project,

    /// <summary>Only a connection string into another resource, such as a database in a server.</summary>
    Value,
}

/// <summary>An endpoint as deployments see it.</summary>
internal sealed record DeploymentBinding(string Name, string Scheme, string Transport, int? Port, int? TargetPort, bool External)
{
    /// <summary>What Microsoft's .NET images listen on (ASPNETCORE_HTTP_PORTS) when nothing else is said.</summary>
    public const int DefaultProjectPort = 8080;

    public string Protocol => "tcp";

    /// <summary>The port the process listens on inside its container.</summary>
    public int ContainerPort => TargetPort ?? DefaultProjectPort;
}

/// <summary>One resource of the application model, evaluated in publish mode: everything every publisher needs.</summary>
internal sealed class DeploymentResource(IResource resource, DeploymentKind kind)
{
    public IResource Resource { get; } = resource;

    public string Name => Resource.Name;

    public DeploymentKind Kind { get; } = kind;

    /// <summary>The connection string as a manifest expression, for resources others connect to.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The container image, for containers and projects.</summary>
    public string? Image { get; init; }

    /// <summary>The project file, for projects.</summary>
    public string? ProjectPath { get; init; }

    /// <summary>Environment variables in the order the model sets them; values are manifest expressions.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];

    public IReadOnlyList<DeploymentBinding> Bindings { get; init; } = [];

    public IReadOnlyList<ContainerMountAnnotation> Mounts { get; init; } = [];

    public IReadOnlyList<ProbeAnnotation> Probes { get; init; } = [];

    public IReadOnlyList<WaitAnnotation> Waits { get; init; } = [];

    public int Replicas { get; init; } = 1;

    /// <summary>Whether the model sets the replica count, rather than leaving the default of one.</summary>
    public bool IsReplicated { get; init; }

    public RestartPolicyAnnotation? RestartPolicy { get; init; }

    public MemoryLimitAnnotation? MemoryLimit { get; init; }

    public ContainerSecurityAnnotation? Security { get; init; }

    /// <summary>A worker others wait for to complete: it runs once, it is not a service.</summary>
    public bool RunsToCompletion { get; init; }

    /// <summary>Deployed elsewhere (a managed database): only its connection string is supplied, at deployment time.</summary>
    public bool IsExternal { get; init; }

    public ParameterResource? Parameter => Resource as ParameterResource;

    /// <summary>The image to run; a project's is prefixed with the registry its image was pushed to, when one is given.</summary>
    public string ImageReference(PublishingOptions options) => Image switch
    {
        null => throw new DistributedApplicationException(
            $"'{Name}' has no container image: set ContainerRepository (and ContainerImageTag) in {Path.GetFileName(ProjectPath)}."),
        var image when Kind == DeploymentKind.Project && options.ContainerRegistry is { Length: > 0 } registry => $"{registry.TrimEnd('/')}/{image}",
        var image => image,
    };

    public ProbeAnnotation? Probe(ProbeType type) => Probes.FirstOrDefault(p => p.Type == type);

    public DeploymentBinding Binding(string name) =>
        Bindings.FirstOrDefault(b => b.Name == name) ?? throw new DistributedApplicationException($"'{Name}' has no endpoint named '{name}'.");
}

/// <summary>
/// The application model as every publisher sees it: resources in model order, environment variables
/// resolved in publish mode, so that every value that only a deployment knows is a manifest expression.
/// </summary>
internal sealed class DeploymentModel
{
    private readonly Dictionary<string, DeploymentResource> _byName;

    private DeploymentModel(IReadOnlyList<DeploymentResource> resources)
    {
        Resources = resources;
        _byName = resources.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<DeploymentResource> Resources { get; }

    public IEnumerable<DeploymentResource> Parameters => Resources.Where(r => r.Kind == DeploymentKind.Parameter);

    /// <summary>What runs: containers and projects, minus those deployed elsewhere.</summary>
    public IEnumerable<DeploymentResource> Workloads =>
        Resources.Where(r => r.Kind is DeploymentKind.Container or DeploymentKind.Project && !r.IsExternal);

    public DeploymentResource this[string name] =>
        _byName.TryGetValue(name, out var resource) ? resource : throw new DistributedApplicationException($"There is no resource named '{name}'.");

    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The workload that serves a resource: itself, or the server a database lives in.</summary>
    public DeploymentResource? WorkloadOf(IResource resource)
    {
        var deployed = this[resource.Name];
        return deployed.Kind switch
        {
            DeploymentKind.Container or DeploymentKind.Project => deployed.IsExternal ? null : deployed,
            DeploymentKind.Value when resource is IResourceWithParent<IResource> child => WorkloadOf(child.Parent),
            _ => null,
        };
    }

    public static async Task<DeploymentModel> CreateAsync(
        DistributedApplicationModel model, DistributedApplicationExecutionContext executionContext, IConfiguration configuration,
        PublishingOptions options, CancellationToken cancellationToken)
    {
        var external = options.ExternalResources;
        foreach (var name in external.Where(name => !model.Resources.Any(r => r.Name == name && r is IResourceWithConnectionString)))
        {
            throw new DistributedApplicationException($"'{name}' cannot be external: there is no resource of that name with a connection string.");
        }

        var resources = new List<DeploymentResource>();
        foreach (var resource in model.Resources)
        {
            resources.Add(await DescribeAsync(resource, model, executionContext, configuration, external.Contains(resource.Name), cancellationToken).ConfigureAwait(false));
        }

        return new DeploymentModel(resources);
    }

    private static async Task<DeploymentResource> DescribeAsync(
        IResource resource, DistributedApplicationModel model, DistributedApplicationExecutionContext executionContext,
        IConfiguration configuration, bool isExternal, CancellationToken cancellationToken)
    {
        var annotations = resource.Annotations;
        var kind = resource switch
        {
            ParameterResource => DeploymentKind.Parameter,
            ProjectResource => DeploymentKind.Project,
            _ when annotations.OfType<ContainerImageAnnotation>().Any() => DeploymentKind.Container,
            IResourceWithConnectionString => DeploymentKind.Value,
            _ => throw new DistributedApplicationException($"'{resource.Name}' ({resource.GetType().Name}) has no deployment form: it is neither a project, a container nor a connection string."),
        };

        var project = resource as ProjectResource;
        var runsToCompletion = model.Resources.Any(r => r.Annotations.OfType<WaitAnnotation>().Any(w => w.Resource == resource && w.WaitType == WaitType.WaitForCompletion));
        var replicas = configuration.GetValue<int?>($"Replicas:{resource.Name}") ?? annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas;
        if (replicas < 1)
        {
            throw new DistributedApplicationException($"'{resource.Name}' needs at least one replica; Replicas:{resource.Name} is {replicas}.");
        }

        return new DeploymentResource(resource, kind)
        {
            ConnectionString = (resource as IResourceWithConnectionString)?.ConnectionStringExpression,
            Image = kind switch
            {
                DeploymentKind.Container => annotations.OfType<ContainerImageAnnotation>().Last().Reference,
                DeploymentKind.Project => project!.Metadata.ContainerImage,
                _ => null,
            },
            ProjectPath = project?.Metadata.ProjectPath,
            Environment = kind is DeploymentKind.Container or DeploymentKind.Project
                ? await EnvironmentAsync(resource, executionContext, cancellationToken).ConfigureAwait(false)
                : [],
            Bindings = [.. annotations.OfType<EndpointAnnotation>().Select(e => new DeploymentBinding(
                e.Name, e.UriScheme, e.UriScheme is "http" or "https" ? "http" : e.UriScheme, e.Port, e.TargetPort, e.IsExternal))],
            Mounts = [.. annotations.OfType<ContainerMountAnnotation>()],
            Probes = [.. annotations.OfType<ProbeAnnotation>()],
            Waits = [.. annotations.OfType<WaitAnnotation>()],
            Replicas = replicas ?? 1,
            IsReplicated = replicas is not null,
            RestartPolicy = runsToCompletion ? null : annotations.OfType<RestartPolicyAnnotation>().LastOrDefault(),
            MemoryLimit = annotations.OfType<MemoryLimitAnnotation>().LastOrDefault(),
            Security = annotations.OfType<ContainerSecurityAnnotation>().LastOrDefault() ?? (project is null ? null : DotnetImageSecurity),
            RunsToCompletion = runsToCompletion,
            IsExternal = isExternal,
        };
    }

    // Microsoft's .NET images run as APP_UID 1654; the runtime needs nothing writable but its temporary directory.
    private static readonly ContainerSecurityAnnotation DotnetImageSecurity = new(1654, ["/tmp"]);

    /// <summary>What a project gets in every deployment, after Aspire's manifest, then what the model's callbacks add.</summary>
    private static async Task<IReadOnlyList<KeyValuePair<string, string>>> EnvironmentAsync(
        IResource resource, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        var variables = new List<KeyValuePair<string, string>>();
        if (resource is ProjectResource)
        {
            variables.AddRange(ProjectEnvironment.OtlpExporterDefaults);
            var httpEndpoints = resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.UriScheme == "http").ToList();
            if (httpEndpoints.Count > 0)
            {
                // Deployments put the service behind a proxy or load balancer, which says who the client was.
                variables.Add(new("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true"));
                variables.Add(new("HTTP_PORTS", string.Join(';', httpEndpoints.Select(e => $"{{{resource.Name}.bindings.{e.Name}.targetPort}}"))));
            }
        }

        var context = new EnvironmentCallbackContext(executionContext, cancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context).ConfigureAwait(false);
        }

        foreach (var (name, value) in context.EnvironmentVariables)
        {
            variables.RemoveAll(v => v.Key == name);
            variables.Add(new(name, value));
        }

        return variables;
    }

    /// <summary>A duration as people write it in deployment files: <c>250ms</c>, <c>15s</c>.</summary>
    public static string FormatDuration(TimeSpan duration) =>
        duration.TotalMilliseconds % 1000 == 0
            ? $"{(long)duration.TotalSeconds}s"
            : string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalMilliseconds}ms");

    /// <summary>A memory size in binary units, as Kubernetes writes them: <c>200Mi</c>.</summary>
    public static string FormatMemory(long bytes) =>
        bytes % (1024 * 1024) == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024)}Mi") : bytes.ToString(CultureInfo.InvariantCulture);
}
