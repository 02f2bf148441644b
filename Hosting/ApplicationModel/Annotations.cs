namespace AddressBook.Hosting.ApplicationModel;

/// <summary>Adds environment variables to a resource when it starts.</summary>
/// <param name="Callback">Writes variables into the context; runs once per start, after dependencies are allocated.</param>
public sealed record EnvironmentCallbackAnnotation(Func<EnvironmentCallbackContext, Task> Callback) : IResourceAnnotation;

/// <summary>The variables being assembled for one start of a resource.</summary>
public sealed class EnvironmentCallbackContext(DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
{
    /// <summary>Whether the application is being run or published.</summary>
    public DistributedApplicationExecutionContext ExecutionContext { get; } = executionContext;

    /// <summary>The variables; later callbacks override earlier ones.</summary>
    public Dictionary<string, string> EnvironmentVariables { get; } = new(StringComparer.Ordinal);

    /// <summary>Cancelled when the start is abandoned.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;
}

/// <summary>A network endpoint a resource listens on.</summary>
public sealed class EndpointAnnotation(string name, string uriScheme = "http", int? port = null, int? targetPort = null) : IResourceAnnotation
{
    /// <summary>The endpoint's name, such as <c>http</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The URI scheme, such as <c>http</c> or <c>tcp</c>.</summary>
    public string UriScheme { get; } = uriScheme;

    /// <summary>The port clients use; when null a free port is chosen at start.</summary>
    public int? Port { get; set; } = port;

    /// <summary>The port the process itself listens on in a deployment; at run time each replica gets a free loopback port.</summary>
    public int? TargetPort { get; set; } = targetPort;

    /// <summary>Whether the endpoint is reachable from outside the deployment, not only by the application's other resources.</summary>
    public bool IsExternal { get; set; }

    /// <summary>The address allocated when the application started, or null before that.</summary>
    public AllocatedEndpoint? AllocatedEndpoint { get; set; }
}

/// <summary>The server certificate a resource's HTTPS endpoints present.</summary>
public sealed class HttpsCertificateAnnotation : IResourceAnnotation
{
    /// <summary>The certificate; it must carry its private key.</summary>
    public required System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate
    {
        get;
        init => field = value.HasPrivateKey ? value : throw new ArgumentException($"The certificate '{value.Subject}' has no private key.", nameof(value));
    }
}

/// <summary>The concrete address of an endpoint once the application runs.</summary>
public sealed record AllocatedEndpoint(string UriScheme, string Host, int Port)
{
    /// <summary>The endpoint as a URL, such as <c>http://localhost:3000</c>.</summary>
    public string Url => $"{UriScheme}://{Host}:{Port}";
}

/// <summary>How a dependent waits for a resource.</summary>
public enum WaitType
{
    /// <summary>Until the resource is running and its health checks pass.</summary>
    WaitUntilHealthy,

    /// <summary>Until the resource has run to completion with the expected exit code.</summary>
    WaitForCompletion,
}

/// <summary>Holds a resource back until another resource is ready or has completed.</summary>
public sealed record WaitAnnotation(IResource Resource, WaitType WaitType, int ExitCode = 0) : IResourceAnnotation;

/// <summary>Records that a resource uses another, so that shutdown can stop users before what they use.</summary>
public sealed record ResourceRelationshipAnnotation(IResource Resource, string Type) : IResourceAnnotation;

/// <summary>How many processes of a project run behind its endpoints.</summary>
public sealed record ReplicaAnnotation(int Replicas) : IResourceAnnotation;

/// <summary>
/// Restarts a process that exits on its own, waiting <see cref="InitialBackoff"/> and doubling the wait
/// after each crash up to <see cref="MaxBackoff"/>. After <see cref="MaxRestarts"/> crashes in a row it is
/// left failed. A process that ran for <see cref="ResetAfter"/> before crashing starts a fresh count.
/// </summary>
public sealed record RestartPolicyAnnotation(int MaxRestarts, TimeSpan InitialBackoff, TimeSpan MaxBackoff, TimeSpan ResetAfter) : IResourceAnnotation;

/// <summary>
/// Replaces a process whose private resident memory (RssAnon: its heaps, not the shared runtime files) stays above
/// <see cref="Bytes"/> for <see cref="SustainedFor"/>:
/// a new process starts and becomes healthy first, then the old one drains and stops.
/// </summary>
public sealed record MemoryLimitAnnotation(long Bytes, TimeSpan SustainedFor) : IResourceAnnotation;
