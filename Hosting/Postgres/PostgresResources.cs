using AddressBook.Hosting.ApplicationModel;

namespace AddressBook.Hosting.Postgres;

/// <summary>A PostgreSQL server run from the machine's own server binaries.</summary>
public sealed class PostgresServerResource(string name, ParameterResource password)
    : Resource(name), IResourceWithConnectionString, IResourceWithEndpoints, IResourceWithWaitSupport
{
    internal const string PrimaryEndpointName = "tcp";
    private readonly Dictionary<string, string> _databases = new(StringComparer.Ordinal);

    /// <summary>The superuser the app connects as; <c>postgres</c>, as in Aspire and the official image.</summary>
    public string UserName => "postgres";

    /// <summary>The superuser's password: the <c>{name}-password</c> parameter.</summary>
    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>The databases of this server: resource name to database name.</summary>
    public IReadOnlyDictionary<string, string> Databases => _databases;

    /// <summary>The endpoint clients connect to.</summary>
    public EndpointAnnotation PrimaryEndpoint => Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == PrimaryEndpointName);

    /// <inheritdoc />
    public string ConnectionStringExpression =>
        $"Host={{{Name}.bindings.{PrimaryEndpointName}.host}};Port={{{Name}.bindings.{PrimaryEndpointName}.port}};Username={UserName};Password={PasswordParameter.ValueExpression}";

    /// <inheritdoc />
    public ValueTask<string?> GetConnectionStringAsync(CancellationToken cancellationToken = default)
    {
        var endpoint = PrimaryEndpoint.AllocatedEndpoint
            ?? throw new InvalidOperationException($"'{Name}' has no address yet; wait for it to start.");
        return ValueTask.FromResult<string?>($"Host={endpoint.Host};Port={endpoint.Port};Username={UserName};Password={PasswordParameter.Value}");
    }

    /// <summary>The folder of the server programs (and psql) this run uses; set once they are found.</summary>
    internal string? BinDirectory { get; set; }

    /// <summary>
    /// The databases the server held when it last became ready, listed by its readiness check, so that a database
    /// runner asks the server again only to create one.
    /// </summary>
    internal IReadOnlySet<string> ExistingDatabases { get; set; } = new HashSet<string>();

    internal void AddDatabase(string resourceName, string databaseName) => _databases.Add(resourceName, databaseName);
}

/// <summary>A database inside a <see cref="PostgresServerResource"/>, created when the server is ready.</summary>
public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource parent)
    : Resource(name), IResourceWithParent<PostgresServerResource>, IResourceWithConnectionString, IResourceWithWaitSupport
{
    /// <summary>The database's name inside the server.</summary>
    public string DatabaseName { get; } = databaseName;

    /// <inheritdoc />
    public PostgresServerResource Parent { get; } = parent;

    /// <inheritdoc />
    public string ConnectionStringExpression => $"{{{Parent.Name}.connectionString}};Database={DatabaseName}";

    /// <inheritdoc />
    public async ValueTask<string?> GetConnectionStringAsync(CancellationToken cancellationToken = default) =>
        $"{await Parent.GetConnectionStringAsync(cancellationToken).ConfigureAwait(false)};Database={DatabaseName}";
}

/// <summary>Where a PostgreSQL server keeps its data directory.</summary>
/// <param name="VolumeName">A named volume under the app host's state folder; kept across runs.</param>
/// <param name="SourcePath">A directory chosen by the user; kept across runs.</param>
public sealed record PostgresDataAnnotation(string? VolumeName, string? SourcePath) : IResourceAnnotation;
