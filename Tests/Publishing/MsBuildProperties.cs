using System.Diagnostics;
using System.Text.Json;
using AddressBook.Tests.Infrastructure;

namespace AddressBook.Tests.Publishing;

/// <summary>Properties of a project as MSBuild evaluates them, read the way tools such as azd read them (<c>dotnet msbuild -getProperty</c>).</summary>
internal static class MsBuildProperties
{
    public static async Task<Dictionary<string, string>> EvaluateAsync(string projectFile, params string[] names)
    {
        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryPaths.Root };
        startInfo.ArgumentList.Add("msbuild");
        startInfo.ArgumentList.Add(projectFile);
        foreach (var name in names)
        {
            startInfo.ArgumentList.Add($"-getProperty:{name}");
        }

        using var process = Process.Start(startInfo)!;
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, $"dotnet msbuild failed: {await standardOutput}{await standardError}");

        // MSBuild prints one property bare, several as JSON.
        if (names.Length == 1)
        {
            return new Dictionary<string, string> { [names[0]] = (await standardOutput).Trim() };
        }

        using var json = JsonDocument.Parse(await standardOutput);
        return json.RootElement.GetProperty("Properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
    }
}
