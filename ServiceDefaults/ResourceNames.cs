namespace AddressBook;

/// <summary>
/// Names of the app model's resources. The AppHost names resources with them, the services
/// look up connection strings and service addresses by them, and the tests find resources by them,
/// so a rename in one place cannot silently break the wiring.
/// </summary>
public static class ResourceNames
{
    public const string Postgres = "postgres";
    public const string Database = "addressbook";
    public const string Api = "api";
    public const string Migrations = "migrations";

    /// <summary>The parameter holding the API key that reads every route.</summary>
    public const string ApiReadOnlyKey = "api-key-read-only";

    /// <summary>The parameter holding the API key that reads and changes every route.</summary>
    public const string ApiReadWriteKey = "api-key-read-write";
}
