using AddressBook.Hosting.ApplicationModel;

namespace AddressBook.Hosting.Postgres;

/// <summary>How a PostgreSQL server is deployed: the official image, configured through its documented variables.</summary>
internal static class PostgresContainer
{
    public const int Port = 5432;

    /// <summary>Where the image keeps its data; deployments mount the data volume here.</summary>
    public const string DataPath = "/var/lib/postgresql/data";

    public static readonly ContainerImageAnnotation Image = new("docker.io", "library/postgres", "17.6");

    // The image's 'postgres' user. Its socket directory and /tmp are all it writes besides the data.
    public static readonly ContainerSecurityAnnotation Security = new(999, ["/var/run/postgresql", "/tmp"]);

    public static IReadOnlyList<string> ReadyCommand(PostgresServerResource server) =>
        ["pg_isready", "--host=127.0.0.1", $"--port={Port}", $"--username={server.UserName}"];

    public static Task AddEnvironment(PostgresServerResource server, EnvironmentCallbackContext context)
    {
        var variables = context.EnvironmentVariables;
        variables["POSTGRES_HOST_AUTH_METHOD"] = "scram-sha-256";
        variables["POSTGRES_INITDB_ARGS"] = "--auth-host=scram-sha-256 --auth-local=scram-sha-256";
        variables["POSTGRES_USER"] = server.UserName;
        variables["POSTGRES_PASSWORD"] = server.PasswordParameter.ValueExpression;
        if (server.Databases.Values.FirstOrDefault() is { } firstDatabase)
        {
            // The image creates one database on first start; the services' migrations create any other.
            variables["POSTGRES_DB"] = firstDatabase;
        }

        // A subdirectory, because the root of a freshly formatted volume holds lost+found and initdb refuses a non-empty directory.
        variables["PGDATA"] = $"{DataPath}/pgdata";
        return Task.CompletedTask;
    }
}
