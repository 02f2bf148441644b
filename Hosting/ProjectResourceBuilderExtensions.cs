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

    // A worker has no endpoint to give. The project file tells, even before anything is built.
    private static bool IsWebProject(IProjectMetadata metadata) =>
        File.Exists(metadata.ProjectPath) && File.ReadAllText(metadata.ProjectPath).Contains("Microsoft.NET.Sdk.Web", StringComparison.Ordinal);
}
