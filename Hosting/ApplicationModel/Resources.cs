namespace AddressBook.Hosting.ApplicationModel;

/// <summary>A named part of the distributed application: a server, a database, a project, a parameter.</summary>
public interface IResource
{
    /// <summary>The unique name of the resource within the application model.</summary>
    string Name { get; }

    /// <summary>Annotations that describe how the resource is wired and run.</summary>
    ResourceAnnotationCollection Annotations { get; }
}

/// <summary>A resource that other resources connect to through a connection string.</summary>
public interface IResourceWithConnectionString : IResource
{
    /// <summary>The name under which dependents receive the connection string (<c>ConnectionStrings__{name}</c>).</summary>
    string ConnectionStringName => Name;

    /// <summary>
    /// The connection string as a deployment manifest expression, with placeholders for what only a deployment
    /// decides, such as <c>{postgres.bindings.tcp.host}</c> and <c>{postgres-password.value}</c>.
    /// </summary>
    string ConnectionStringExpression { get; }

    /// <summary>Resolves the connection string once the resource has been allocated its endpoint.</summary>
    ValueTask<string?> GetConnectionStringAsync(CancellationToken cancellationToken = default);
}

/// <summary>A resource that receives environment variables when it starts.</summary>
public interface IResourceWithEnvironment : IResource;

/// <summary>A resource that exposes network endpoints.</summary>
public interface IResourceWithEndpoints : IResource;

/// <summary>A resource whose start can be made to wait for other resources.</summary>
public interface IResourceWithWaitSupport : IResource;

/// <summary>A resource that can be found by other resources through service discovery variables.</summary>
public interface IResourceWithServiceDiscovery : IResourceWithEndpoints;

/// <summary>A resource that lives inside another, such as a database inside its server.</summary>
public interface IResourceWithParent<out T> : IResource where T : IResource
{
    /// <summary>The resource this one lives in.</summary>
    T Parent { get; }
}

/// <summary>Base class for resources: a name and a collection of annotations.</summary>
public abstract class Resource : IResource
{
    /// <summary>Creates a resource with a name that is valid in URLs, environment variables and file names.</summary>
    protected Resource(string name)
    {
        ResourceNameValidator.ThrowIfInvalid(name);
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ResourceAnnotationCollection Annotations { get; } = [];

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The annotations of one resource.</summary>
public sealed class ResourceAnnotationCollection : List<IResourceAnnotation>;

/// <summary>Marker for data attached to a resource.</summary>
public interface IResourceAnnotation;

internal static class ResourceNameValidator
{
    public static void ThrowIfInvalid(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        // Names become host names, environment variable parts and directory names, so the
        // rules are the strictest of the three: ASCII letters, digits and inner hyphens.
        var valid = name.Length <= 64 && char.IsAsciiLetter(name[0]) && name[^1] != '-'
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && !name.Contains("--", StringComparison.Ordinal);
        if (!valid)
        {
            throw new ArgumentException(
                $"Resource name '{name}' is invalid: use ASCII letters, digits and single inner hyphens, starting with a letter.", nameof(name));
        }
    }
}
