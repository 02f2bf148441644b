using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace AddressBook.Hosting.Postgres;

/// <summary>Finds the PostgreSQL server programs installed on the machine.</summary>
internal static class PostgresBinaries
{
    public const string ConfigurationKey = "Postgres:BinDirectory";

    public const string InstallHint =
        "PostgreSQL server binaries (initdb, postgres, psql) were not found. Install them with 'sudo apt-get install postgresql' "
        + "(Debian/Ubuntu) or point Postgres:BinDirectory at the folder that holds them.";

    /// <summary>The folder with initdb, postgres and psql: configuration, pg_config, the Debian layout, then PATH.</summary>
    public static string? Find(IConfiguration configuration)
    {
        if (configuration[ConfigurationKey] is { Length: > 0 } configured)
        {
            return HasServerPrograms(configured) ? configured : null;
        }

        return Candidates().FirstOrDefault(HasServerPrograms);
    }

    private static IEnumerable<string> Candidates()
    {
        if (FromPgConfig() is { } bindir)
        {
            yield return bindir;
        }

        // Debian and Ubuntu install each major version side by side; prefer the newest.
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var versions = Directory.GetDirectories(debianRoot)
                .Select(dir => (Dir: dir, Version: int.TryParse(Path.GetFileName(dir), out var v) ? v : -1))
                .OrderByDescending(x => x.Version);
            foreach (var (dir, _) in versions)
            {
                yield return Path.Combine(dir, "bin");
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return dir;
        }
    }

    private static string? FromPgConfig()
    {
        try
        {
            var startInfo = new ProcessStartInfo("pg_config", ["--bindir"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(startInfo);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // No pg_config on PATH.
        }
    }

    private static bool HasServerPrograms(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "postgres")) && File.Exists(Path.Combine(dir, "psql"));
}
