namespace AddressBook.Hosting.ApplicationModel;

/// <summary>The container image a resource is deployed from when the application is published.</summary>
/// <param name="Registry">The registry, such as <c>docker.io</c>.</param>
/// <param name="Image">The repository within the registry, such as <c>library/postgres</c>.</param>
/// <param name="Tag">The tag, such as <c>17.6</c>.</param>
public sealed record ContainerImageAnnotation(string Registry, string Image, string Tag) : IResourceAnnotation
{
    /// <summary>The full image reference, <c>registry/image:tag</c>.</summary>
    public string Reference => $"{Registry}/{Image}:{Tag}";
}

/// <summary>Whether a container mount is a named volume or a directory of the host.</summary>
public enum ContainerMountType
{
    /// <summary>A named volume that the container engine or cluster manages.</summary>
    Volume,

    /// <summary>A directory of the host.</summary>
    BindMount,
}

/// <summary>Storage mounted into the resource's container when the application is published.</summary>
/// <param name="Source">The volume's name, or the host directory of a bind mount.</param>
/// <param name="Target">The path inside the container.</param>
/// <param name="Type">A named volume or a bind mount.</param>
/// <param name="IsReadOnly">Whether the container may only read it.</param>
public sealed record ContainerMountAnnotation(string Source, string Target, ContainerMountType Type, bool IsReadOnly = false) : IResourceAnnotation;

/// <summary>
/// Who a resource's container runs as once deployed: a non-root user, with a read-only root filesystem
/// except for the directories the process must write to.
/// </summary>
/// <param name="UserId">The numeric user (and group) id.</param>
/// <param name="WritablePaths">Directories given empty scratch space, such as <c>/tmp</c>.</param>
public sealed record ContainerSecurityAnnotation(long UserId, IReadOnlyList<string> WritablePaths) : IResourceAnnotation;

/// <summary>What a deployment asks of a probe, as in Kubernetes.</summary>
public enum ProbeType
{
    /// <summary>Passes once the process has started; the other probes wait for it.</summary>
    Startup,

    /// <summary>Passes while the process should receive traffic.</summary>
    Readiness,

    /// <summary>Fails when the process should be restarted.</summary>
    Liveness,
}

/// <summary>A check a deployment runs against a resource.</summary>
public abstract record ProbeAnnotation(ProbeType Type) : IResourceAnnotation;

/// <summary>An HTTP GET on one of the resource's endpoints; any 2xx answer passes.</summary>
/// <param name="Type">What the probe decides.</param>
/// <param name="Path">The path requested, such as <c>/health</c>.</param>
/// <param name="EndpointName">The endpoint requested.</param>
public sealed record EndpointProbeAnnotation(ProbeType Type, string Path, string EndpointName) : ProbeAnnotation(Type);

/// <summary>A command run inside the resource's container; exit code 0 passes.</summary>
/// <param name="Type">What the probe decides.</param>
/// <param name="Command">The command and its arguments.</param>
public sealed record CommandProbeAnnotation(ProbeType Type, IReadOnlyList<string> Command) : ProbeAnnotation(Type);
