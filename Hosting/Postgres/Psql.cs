using System.Diagnostics;
using System.Globalization;

namespace AddressBook.Hosting.Postgres;

/// <summary>
/// Runs one SQL statement through psql, the client installed with the server. The app host asks the server one thing
/// at start, which databases it holds, which also tells whether our password works (and, on a first run, it creates
/// the database). psql answers in about 20 ms, where the app host's first Npgsql connection took about 200 ms of
/// compiling on the path of every start.
/// </summary>
internal static class Psql
{
    /// <summary>What psql printed (unaligned, tuples only) and how it exited: 0 for success, 2 when it could not connect.</summary>
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public bool Succeeded => ExitCode == 0;

        public bool PasswordRejected => Error.Contains("password authentication failed", StringComparison.Ordinal);

        public bool AlreadyExists => Error.Contains("already exists", StringComparison.Ordinal);
    }

    public static async Task<Result> RunAsync(PostgresServerResource server, string database, string sql, CancellationToken cancellationToken)
    {
        var endpoint = server.PrimaryEndpoint.AllocatedEndpoint!;
        var startInfo = new ProcessStartInfo(
            Path.Combine(server.BinDirectory!, "psql"),
            [
                "--no-psqlrc", "--no-password", "--no-align", "--tuples-only", "--quiet", "--set=ON_ERROR_STOP=1",
                "--host", endpoint.Host, "--port", endpoint.Port.ToString(CultureInfo.InvariantCulture),
                "--username", server.UserName, "--dbname", database, "--command", sql,
            ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // The environment, not the command line, which any user can read; the services get it the same way.
        startInfo.Environment["PGPASSWORD"] = server.PasswordParameter.Value;
        startInfo.Environment["PGCONNECT_TIMEOUT"] = "2";
        startInfo.Environment["PGAPPNAME"] = "apphost";
        startInfo.Environment["LC_MESSAGES"] = "C";

        using var process = Process.Start(startInfo)
            ?? throw new DistributedApplicationException($"Could not start {startInfo.FileName}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        return new Result(process.ExitCode, (await output.ConfigureAwait(false)).Trim(), (await error.ConfigureAwait(false)).Trim());
    }

    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
