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
}
