using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AddressBook.Hosting;

/// <summary>What to launch and how.</summary>
internal sealed record ChildProcessSpec(string FileName, IReadOnlyList<string> Arguments)
{
    public string? WorkingDirectory { get; init; }

    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>An OS user to run as; only honoured when the app host runs as root.</summary>
    public string? RunAsUser { get; init; }

    /// <summary>Signal the child receives if the app host dies without stopping it (even by SIGKILL).</summary>
    public int ParentDeathSignal { get; init; } = Signals.SIGTERM;
}

/// <summary>
/// A process started by the app host. On Linux every child is launched through util-linux's
/// <c>setpriv --pdeathsig</c>, so the kernel signals it when the app host dies, however it dies, and
/// through <c>setsid</c>, so a Ctrl+C in the terminal reaches the app host alone, which then stops the
/// children in dependency order instead of all at once.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process, Task<int> exited)
    {
        _process = process;
        ProcessId = process.Id;
        Exited = exited;
    }

    public int ProcessId { get; }

    /// <summary>Completes with the exit code when the process has ended and its output is drained.</summary>
    public Task<int> Exited { get; }

    public bool HasExited => Exited.IsCompleted;

    public static async Task<ChildProcess> StartAsync(ChildProcessSpec spec, Action<string, bool> onOutputLine)
    {
        var startInfo = BuildStartInfo(spec);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The exit code is final for the caller only once both streams are drained too, so the last
        // lines a failing process printed are never missing from its failure report.
        var pending = 3;
        void Settle()
        {
            if (Interlocked.Decrement(ref pending) == 0)
            {
                exited.TrySetResult(process.ExitCode);
            }
        }

        process.Exited += (_, _) => Settle();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) Settle(); else onOutputLine(e.Data, false);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) Settle(); else onOutputLine(e.Data, true);
        };

        await Spawner.StartAsync(process).ConfigureAwait(false);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(process, exited.Task);
    }

    /// <summary>Sends a signal; returns false when the process is already gone.</summary>
    public bool Signal(int signal) => !HasExited && Signals.Send(ProcessId, signal);

    /// <summary>Writes a line to its standard input; false when it has exited or closed it.</summary>
    public bool WriteLine(string line)
    {
        if (HasExited)
        {
            return false;
        }

        try
        {
            _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
            return true;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stops the process: each signal in turn, waiting up to its grace period, then SIGKILL.
    /// Returns the exit code.
    /// </summary>
    public async Task<int> StopAsync(params (int Signal, TimeSpan Grace)[] escalation)
    {
        foreach (var (signal, grace) in escalation)
        {
            if (!Signal(signal))
            {
                break;
            }

            if (await Task.WhenAny(Exited, Task.Delay(grace)).ConfigureAwait(false) == Exited)
            {
                break;
            }
        }

        if (!HasExited)
        {
            try
            {
                _process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }
        }

        return await Exited.ConfigureAwait(false);
    }

    public void Dispose() => _process.Dispose();

    private static ProcessStartInfo BuildStartInfo(ChildProcessSpec spec)
    {
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory ?? System.Environment.CurrentDirectory,
        };

        if (Wrappers.Available)
        {
            startInfo.FileName = Wrappers.Setpriv!;
            if (spec.RunAsUser is { } user && OsUsers.IsRoot)
            {
                startInfo.ArgumentList.Add($"--reuid={user}");
                startInfo.ArgumentList.Add($"--regid={user}");
                startInfo.ArgumentList.Add("--init-groups");
            }

            startInfo.ArgumentList.Add($"--pdeathsig={Signals.NameOf(spec.ParentDeathSignal)}");
            startInfo.ArgumentList.Add("--");
            startInfo.ArgumentList.Add(Wrappers.Setsid!);
            startInfo.ArgumentList.Add(spec.FileName);
        }
        else
        {
            startInfo.FileName = spec.FileName;
        }

        foreach (var argument in spec.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in spec.Environment)
        {
            if (value is null) startInfo.Environment.Remove(name); else startInfo.Environment[name] = value;
        }

        return startInfo;
    }

    private static class Wrappers
    {
        public static readonly string? Setpriv = Find("setpriv");
        public static readonly string? Setsid = Find("setsid");
        public static readonly bool Available = OperatingSystem.IsLinux() && Setpriv is not null && Setsid is not null;

        private static string? Find(string tool) =>
            new[] { "/usr/bin", "/bin", "/usr/sbin", "/sbin" }.Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// Starts every child from one thread that lives as long as the app host: the kernel's parent-death
    /// signal fires when the thread that forked the child exits, and thread-pool threads come and go.
    /// </summary>
    private static class Spawner
    {
        private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Queue = [];

        static Spawner()
        {
            var thread = new Thread(() =>
            {
                foreach (var (process, started) in Queue.GetConsumingEnumerable())
                {
                    try
                    {
                        process.Start();
                        started.SetResult();
                    }
                    catch (Exception ex)
                    {
                        started.SetException(ex);
                    }
                }
            })
            {
                IsBackground = true,
                Name = "Child process spawner",
            };
            thread.Start();
        }

        public static Task StartAsync(Process process)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Queue.Add((process, started));
            return started.Task;
        }
    }
}

internal static partial class Signals
{
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public static bool Send(int pid, int signal) => kill(pid, signal) == 0;

    public static string NameOf(int signal) => signal switch
    {
        SIGINT => "INT",
        SIGQUIT => "QUIT",
        SIGKILL => "KILL",
        SIGTERM => "TERM",
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "No name known for this signal."),
    };

    public static bool IsAlive(int pid) => kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM: alive, another user's */;

    public static uint GetEffectiveUserId() => geteuid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
