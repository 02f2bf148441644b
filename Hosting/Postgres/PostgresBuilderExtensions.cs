using AddressBook.Hosting.ApplicationModel;
using AddressBook.Hosting.Postgres;

namespace AddressBook.Hosting;

/// <summary>Adds PostgreSQL servers and databases to the application model.</summary>
public static class PostgresBuilderExtensions
{
    /// <summary>
    /// Adds a PostgreSQL server, run from the machine's server binaries as a child process listening on
    /// 127.0.0.1. Its superuser password is the <c>{name}-password</c> parameter: taken from
    /// <c>Parameters:{name}-password</c> in configuration, or generated.
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
            .WithAnnotation(new EndpointAnnotation(PostgresServerResource.PrimaryEndpointName, "tcp", port));
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
        builder.Resource.Annotations.RemoveAll(a => a is PostgresDataAnnotation);
        builder.Resource.PasswordParameter.PersistGeneratedValue = true;
        return builder.WithAnnotation(new PostgresDataAnnotation(name ?? $"{builder.Resource.Name}-data", null));
    }

    /// <summary>Keeps the server's data directory in a directory of the user's choice, kept across runs.</summary>
    /// <param name="builder">The server.</param>
    /// <param name="source">The directory; relative paths are resolved against the app host's directory.</param>
    public static IResourceBuilder<PostgresServerResource> WithDataBindMount(this IResourceBuilder<PostgresServerResource> builder, string source)
    {
        builder.Resource.Annotations.RemoveAll(a => a is PostgresDataAnnotation);
        builder.Resource.PasswordParameter.PersistGeneratedValue = true;
        return builder.WithAnnotation(new PostgresDataAnnotation(null, Path.GetFullPath(source, builder.ApplicationBuilder.AppHostDirectory)));
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
}
