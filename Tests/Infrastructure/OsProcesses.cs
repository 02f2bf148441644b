using System.Globalization;

namespace AddressBook.Tests.Infrastructure;

/// <summary>Process facts read from /proc, to check what the app host leaves behind.</summary>
public static class OsProcesses
{
    public static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            // A zombie has ended; it only waits for its parent to collect the exit code.
            return StateOf(File.ReadAllText(stat)) != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>All processes below a process, children first.</summary>
    public static IReadOnlyList<int> DescendantsOf(int rootPid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // Exited while being read.
            }
        }

        var result = new List<int>();
        var frontier = new Queue<int>([rootPid]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var child in parents.Where(p => p.Value == parent).Select(p => p.Key))
            {
                result.Add(child);
                frontier.Enqueue(child);
            }
        }

        return result;
    }

    public static string CommandLineOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The names of the variables a process was started with; none once it is gone.</summary>
    public static IReadOnlyList<string> EnvironmentNamesOf(int pid)
    {
        try
        {
            return [.. File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries).Select(entry => entry.Split('=')[0])];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public static bool Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        return kill.ExitCode == 0;
    }

    private static char StateOf(string stat) => stat[stat.LastIndexOf(')') + 2];
}
