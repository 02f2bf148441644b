using AddressBook.Hosting.ApplicationModel;
using AddressBook.Hosting.Postgres;

namespace AddressBook.Hosting;

/// <summary>Adds PostgreSQL servers and databases to the application model.</summary>
public static class PostgresBuilderExtensions
{
    /// <summary>
    /// Adds a PostgreSQL server, run from the machine's server binaries as a child process listening on
    /// 127.0.0.1. Its superuser password is the <c>{name}-password</c> parameter: taken from
    /// <c>Parameters:{name}-password</c> in configuration, or generated. Published, it is the official
    /// <c>postgres</c> container image, configured as Aspire configures it.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">The resource name.</param>
    /// <param name="password">A parameter to use as the password instead of the generated one.</param>
    /// <param name="port">A fixed port; by default a free port is chosen at every start.</param>
    public static IResourceBuilder<PostgresServerResource> AddPostgres(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<ParameterResource>? password = null, int? port = null)
    {
        var passwordParameter = password?.Resource ?? builder.AddParameter($"{name}-password", new GenerateParameterDefault()).Resource;
        var server = new PostgresServerResource(name, passwordParameter);
        return builder.AddResource(server)
            .WithAnnotation(new EndpointAnnotation(PostgresServerResource.PrimaryEndpointName, "tcp", port, PostgresContainer.Port))
            .WithAnnotation(PostgresContainer.Image)
            .WithAnnotation(new EnvironmentCallbackAnnotation(context => PostgresContainer.AddEnvironment(server, context)))
            .WithAnnotation(new CommandProbeAnnotation(ProbeType.Readiness, PostgresContainer.ReadyCommand(server)))
            .WithAnnotation(new CommandProbeAnnotation(ProbeType.Liveness, PostgresContainer.ReadyCommand(server)))
            .WithAnnotation(PostgresContainer.Security);
    }

    /// <summary>
    /// Keeps the server's data directory across runs, in a named volume under the app host's state folder
    /// (not the source tree). The generated password is kept with it. Without a volume the data lives in
    /// a temporary directory removed at shutdown.
    /// </summary>
    /// <param name="builder">The server.</param>
    /// <param name="name">The volume's name; defaults to <c>{resource}-data</c>.</param>
    public static IResourceBuilder<PostgresServerResource> WithDataVolume(this IResourceBuilder<PostgresServerResource> builder, string? name = null)
    {
        var volumeName = name ?? $"{builder.Resource.Name}-data";
        return builder.WithData(new PostgresDataAnnotation(volumeName, null), new ContainerMountAnnotation(volumeName, PostgresContainer.DataPath, ContainerMountType.Volume));
    }

    /// <summary>Keeps the server's data directory in a directory of the user's choice, kept across runs.</summary>
    /// <param name="builder">The server.</param>
    /// <param name="source">The directory; relative paths are resolved against the app host's directory.</param>
    public static IResourceBuilder<PostgresServerResource> WithDataBindMount(this IResourceBuilder<PostgresServerResource> builder, string source)
    {
        var directory = Path.GetFullPath(source, builder.ApplicationBuilder.AppHostDirectory);
        return builder.WithData(new PostgresDataAnnotation(null, directory), new ContainerMountAnnotation(directory, PostgresContainer.DataPath, ContainerMountType.BindMount));
    }

    /// <summary>Adds a database to the server; it is created once the server accepts connections, if it does not exist yet.</summary>
    /// <param name="builder">The server.</param>
    /// <param name="name">The resource name, also the connection string name.</param>
    /// <param name="databaseName">The database's name inside the server; defaults to <paramref name="name"/>.</param>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, databaseName ?? name, builder.Resource);
        builder.Resource.AddDatabase(name, database.DatabaseName);
        return builder.ApplicationBuilder.AddResource(database);
    }

    private static IResourceBuilder<PostgresServerResource> WithData(
        this IResourceBuilder<PostgresServerResource> builder, PostgresDataAnnotation data, ContainerMountAnnotation mount)
    {
        builder.Resource.Annotations.RemoveAll(a => a is PostgresDataAnnotation || a is ContainerMountAnnotation { Target: PostgresContainer.DataPath });
        builder.Resource.PasswordParameter.PersistGeneratedValue = true;
        return builder.WithAnnotation(data).WithAnnotation(mount);
    }
}
