using AddressBook.Hosting.ApplicationModel;

namespace AddressBook.Hosting;

/// <summary>Adds .NET projects to the application model.</summary>
public static class ProjectResourceBuilderExtensions
{
    /// <summary>
    /// Adds a project of the solution, started from its build output (the app host's build builds it).
    /// It gets an <c>http</c> endpoint on a free port, which <c>WithHttpEndpoint</c> can fix, and the
    /// OpenTelemetry, environment and service discovery variables a service defaults project reads.
    /// </summary>
    /// <typeparam name="TProject">The generated <c>Projects.*</c> type of a project reference.</typeparam>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">The resource name, also the OpenTelemetry service name.</param>
    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject(name, new TProject());

    /// <summary>Adds a project described by explicit metadata.</summary>
    public static IResourceBuilder<ProjectResource> AddProject(this IDistributedApplicationBuilder builder, string name, IProjectMetadata metadata)
    {
        var project = new ProjectResource(name, metadata);
        var resourceBuilder = builder.AddResource(project);
        if (IsWebProject(metadata))
        {
            resourceBuilder.WithAnnotation(new EndpointAnnotation("http"));
        }

        return resourceBuilder;
    }

    /// <summary>
    /// Runs the project as several processes, each on its own loopback port, behind the resource's endpoint,
    /// which balances every request across the healthy ones. Configuration <c>Replicas:{name}</c> overrides the count.
    /// </summary>
    /// <param name="builder">The project.</param>
    /// <param name="replicas">How many processes to run; at least 1.</param>
    public static IResourceBuilder<ProjectResource> WithReplicas(this IResourceBuilder<ProjectResource> builder, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        builder.Resource.Annotations.RemoveAll(a => a is ReplicaAnnotation);
        return builder.WithAnnotation(new ReplicaAnnotation(replicas));
    }

    /// <summary>
    /// Replaces a process whose private resident memory (its heaps, not the runtime files every replica shares)
    /// stays above the limit for a few seconds, without failing a
    /// request: the new process starts and becomes healthy before the old one drains and stops.
    /// </summary>
    /// <param name="builder">The project.</param>
    /// <param name="megabytes">The limit, in mebibytes.</param>
    /// <param name="sustainedFor">How long the memory must stay above the limit; 3 seconds by default.</param>
    public static IResourceBuilder<ProjectResource> WithMemoryLimit(this IResourceBuilder<ProjectResource> builder, int megabytes, TimeSpan? sustainedFor = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(megabytes, 1);
        builder.Resource.Annotations.RemoveAll(a => a is MemoryLimitAnnotation);
        return builder.WithAnnotation(new MemoryLimitAnnotation(megabytes * 1024L * 1024L, sustainedFor ?? TimeSpan.FromSeconds(3)));
    }

    // A worker has no endpoint to give. The project file tells, even before anything is built.
    private static bool IsWebProject(IProjectMetadata metadata) =>
        File.Exists(metadata.ProjectPath) && File.ReadAllText(metadata.ProjectPath).Contains("Microsoft.NET.Sdk.Web", StringComparison.Ordinal);
}
