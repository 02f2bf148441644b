using System.Globalization;

namespace AddressBook.Hosting.Dashboard;

/// <summary>CPU (percent of one core) and resident memory of a process together with its children, such as PostgreSQL's backends.</summary>
internal sealed record ProcessUsage(double CpuPercent, long MemoryBytes);

/// <summary>Samples, from /proc, the CPU and memory of every process the app host runs, every two seconds while someone watches.</summary>
internal sealed class ProcessUsageSampler(ResourceNotificationService notifications)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    // Linux reports CPU time in clock ticks; USER_HZ is 100 on every architecture .NET runs on.
    private const double TicksPerSecond = 100;
    private readonly Lock _gate = new();
    private Dictionary<int, (long Ticks, DateTimeOffset At)> _previous = [];
    private Dictionary<int, ProcessUsage> _usage = [];
    private DateTimeOffset _sampledAt;

    public IReadOnlyDictionary<int, ProcessUsage> Current
    {
        get
        {
            lock (_gate)
            {
                return _usage;
            }
        }
    }

    /// <summary>Takes a new sample unless one was taken less than an interval ago.</summary>
    public IReadOnlyDictionary<int, ProcessUsage> Sample()
    {
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            if (now - _sampledAt < Interval - TimeSpan.FromMilliseconds(200))
            {
                return _usage;
            }

            _sampledAt = now;
            var roots = notifications.GetCurrentStates()
                .SelectMany(s => s.Replicas.Select(r => r.ProcessId).Append(s.ProcessId))
                .OfType<int>().ToHashSet();
            var children = ChildrenByParent();
            var current = new Dictionary<int, (long, DateTimeOffset)>();
            var usage = new Dictionary<int, ProcessUsage>();
            foreach (var root in roots)
            {
                long ticks = 0, memory = 0;
                var found = false;
                foreach (var pid in TreeOf(root, children))
                {
                    if (Read(pid) is { } sample)
                    {
                        ticks += sample.Ticks;
                        memory += sample.Rss;
                        found = true;
                    }
                }

                if (!found)
                {
                    continue;
                }

                current[root] = (ticks, now);
                var cpu = _previous.TryGetValue(root, out var before) && now > before.At
                    ? Math.Max(0, (ticks - before.Ticks) / TicksPerSecond / (now - before.At).TotalSeconds * 100)
                    : 0;
                usage[root] = new ProcessUsage(Math.Round(cpu, 1), memory);
            }

            _previous = current;
            _usage = usage;
            return usage;
        }
    }

    private static IEnumerable<int> TreeOf(int root, Dictionary<int, List<int>> children)
    {
        var pending = new Stack<int>([root]);
        var seen = new HashSet<int>();
        while (pending.TryPop(out var pid))
        {
            if (!seen.Add(pid))
            {
                continue;
            }

            yield return pid;
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                pending.Push(child);
            }
        }
    }

    private static Dictionary<int, List<int>> ChildrenByParent()
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && ParentOf(pid) is { } parent)
            {
                (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(pid);
            }
        }

        return children;
    }

    private static int? ParentOf(int pid) => StatFields(pid) is { } fields && int.TryParse(fields[1], out var parent) ? parent : null;

    // Fields after the command name, which may itself contain spaces and parentheses: state is [0], ppid [1], utime [11], stime [12].
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (long Ticks, long Rss)? Read(int pid)
    {
        if (StatFields(pid) is not { Length: > 21 } fields)
        {
            return null;
        }

        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        // Resident pages are field 24 of the whole line, [21] here; pages are 4 KiB on the machines this runs on.
        var rss = long.Parse(fields[21], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        return (ticks, rss);
    }
}
