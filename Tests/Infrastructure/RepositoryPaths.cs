namespace AddressBook.Tests.Infrastructure;

/// <summary>Where the repository is, found from the test binary, and what lies beside it.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Aspire's manifest schema, in the folder shared beside the repository; absent from a user's clone.</summary>
    public static string AspireManifestSchema => Path.GetFullPath(Path.Combine(Root, "..", "shared", "schemas", "aspire-8.0.json"));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AddressBook.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No AddressBook.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A fact that needs Aspire's manifest schema, reported as skipped, with the reason, where the schema is absent.</summary>
public sealed class AspireSchemaFactAttribute : FactAttribute
{
    public AspireSchemaFactAttribute()
    {
        if (!File.Exists(RepositoryPaths.AspireManifestSchema))
        {
            Skip = $"Aspire's manifest schema is not at {RepositoryPaths.AspireManifestSchema} (the shared folder beside the repository), so the manifest was not validated against it.";
        }
    }
}
