using System.Diagnostics;
using System.Reflection;

namespace AddressBook.Tests.Infrastructure;

/// <summary>The app host run as users run it: its own process, its console read line by line.</summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly List<string> _errors = [];
    private readonly Lock _gate = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _watches = [];

    private AppHostProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public IReadOnlyList<string> ErrorLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _errors];
            }
        }
    }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join(Environment.NewLine, _output.Concat(_errors));
            }
        }
    }

    public static AppHostProcess Start(params string[] args)
    {
        // Started as a terminal starts it: a test runner launched in the background has SIGINT ignored, a child inherits
        // that, and .NET leaves an ignored SIGINT ignored, so the Ctrl+C the tests send would go unheard.
        var startInfo = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        startInfo.ArgumentList.Add("--default-signal=INT");
        startInfo.ArgumentList.Add("dotnet");
        startInfo.ArgumentList.Add(AppHostDll);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Development";
        startInfo.Environment["NO_COLOR"] = "1";
        var process = new Process { StartInfo = startInfo };
        var host = new AppHostProcess(process);
        process.OutputDataReceived += (_, e) => host.Record(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => host.Record(e.Data, isError: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits for a line of output that matches, including one already printed.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_output.Concat(_errors).FirstOrDefault(match) is { } earlier)
            {
                return earlier;
            }

            _watches.Add((match, found));
        }

        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(found.Task, exited, Task.Delay(timeout));
        if (first != found.Task)
        {
            throw new TimeoutException($"The app host {(first == exited ? "exited" : "did not print the expected line")}. Output:{Environment.NewLine}{Output}");
        }

        return await found.Task;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The app host did not exit within {timeout}. Output:{Environment.NewLine}{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Record(string? line, bool isError)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource<string>> satisfied = [];
        lock (_gate)
        {
            (isError ? _errors : _output).Add(line);
            for (var i = _watches.Count - 1; i >= 0; i--)
            {
                if (_watches[i].Match(line))
                {
                    satisfied.Add(_watches[i].Found);
                    _watches.RemoveAt(i);
                }
            }
        }

        satisfied.ForEach(found => found.TrySetResult(line));
    }

    /// <summary>The app host's project folder, as its build recorded it.</summary>
    public static string AppHostDirectory =>
        typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AppHostProjectPath").Value!;

    /// <summary>The app host's own build output, next to the projects it starts.</summary>
    private static string AppHostDll
    {
        get
        {
            // Tests/bin/<Configuration>/<framework>/ mirrors AppHost/bin/<Configuration>/<framework>/.
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            return Path.Combine(AppHostDirectory, "bin", testOutput.Parent!.Name, testOutput.Name, "AppHost.dll");
        }
    }
}
