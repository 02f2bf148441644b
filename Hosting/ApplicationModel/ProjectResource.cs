namespace AddressBook.Hosting.ApplicationModel;

/// <summary>
/// Describes a .NET project of the application. The build generates one implementation per project
/// reference of the app host, in the <c>Projects</c> namespace (for example <c>Projects.Api</c>).
/// </summary>
public interface IProjectMetadata
{
    /// <summary>The full path of the project file.</summary>
    string ProjectPath { get; }

    /// <summary>The full path of the assembly the build produced for the project.</summary>
    string ExecutablePath { get; }

    /// <summary>
    /// The image <c>dotnet publish -t:PublishContainer</c> builds for the project, from its <c>ContainerRegistry</c>,
    /// <c>ContainerRepository</c> and <c>ContainerImageTag</c> properties; null when it sets no <c>ContainerRepository</c>.
    /// </summary>
    string? ContainerImage => null;
}

/// <summary>A .NET project run as a process of the application.</summary>
public sealed class ProjectResource(string name, IProjectMetadata metadata)
    : Resource(name), IResourceWithEnvironment, IResourceWithServiceDiscovery, IResourceWithWaitSupport
{
    /// <summary>Where the project and its build output are.</summary>
    public IProjectMetadata Metadata { get; } = metadata;
}
