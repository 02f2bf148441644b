using AddressBook.Hosting.ApplicationModel;

namespace AddressBook.Hosting;

/// <summary>One line a resource wrote to its console.</summary>
public sealed record ResourceLogLine(DateTimeOffset Timestamp, string Text, bool IsErrorStream);

/// <summary>
/// Keeps the recent console output of every resource, so failures can be reported with their last lines,
/// and echoes it to the app host's console with the resource name as a prefix.
/// </summary>
public sealed class ResourceLoggerService(ResourceConsole console)
{
    private const int LinesKeptPerResource = 2_000;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<ResourceLogLine>> _lines = new(StringComparer.Ordinal);

    /// <summary>Records a line of a resource's output.</summary>
    public void WriteLine(IResource resource, string text, bool isErrorStream = false)
    {
        var line = new ResourceLogLine(DateTimeOffset.UtcNow, text, isErrorStream);
        lock (_gate)
        {
            if (!_lines.TryGetValue(resource.Name, out var queue))
            {
                _lines[resource.Name] = queue = new Queue<ResourceLogLine>();
            }

            if (queue.Count == LinesKeptPerResource)
            {
                queue.Dequeue();
            }

            queue.Enqueue(line);
        }

        console.WriteResourceLine(resource.Name, text);
    }

    /// <summary>The last lines a resource wrote, oldest first.</summary>
    public IReadOnlyList<ResourceLogLine> GetTail(string resourceName, int count = LinesKeptPerResource)
    {
        lock (_gate)
        {
            return _lines.TryGetValue(resourceName, out var queue) ? [.. queue.TakeLast(count)] : [];
        }
    }
}
