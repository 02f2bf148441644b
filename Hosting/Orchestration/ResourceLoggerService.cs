using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AddressBook.Hosting.ApplicationModel;

namespace AddressBook.Hosting;

/// <summary>One line a resource wrote to its console.</summary>
/// <param name="Timestamp">When the app host received it.</param>
/// <param name="Text">The line, with the colors the process gave it.</param>
/// <param name="IsErrorStream">Whether it came on standard error.</param>
/// <param name="Source">The replica that wrote it, or the app host when it reports on the resource.</param>
public sealed record ResourceLogLine(DateTimeOffset Timestamp, string Text, bool IsErrorStream, string Source)
{
    /// <summary>The resource whose log it is.</summary>
    public string ResourceName { get; init; } = "";

    /// <summary>Its position among every line of every resource, from 1: a reader asks for what came after the last it saw.</summary>
    public long Sequence { get; init; }
}

/// <summary>
/// Keeps the recent console output of every resource, so failures can be reported with their last lines,
/// and echoes it to the app host's console with the resource name as a prefix.
/// </summary>
public sealed class ResourceLoggerService(ResourceConsole console)
{
    private const int LinesKeptPerResource = 2_000;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<ResourceLogLine>> _lines = new(StringComparer.Ordinal);
    private readonly List<Channel<ResourceLogLine>> _watchers = [];
    private long _sequence;

    /// <summary>Records a line of a resource's output and echoes it to the console.</summary>
    /// <param name="resource">The resource.</param>
    /// <param name="text">The line.</param>
    /// <param name="isErrorStream">Whether it came on standard error.</param>
    /// <param name="source">The replica that wrote it; the resource itself by default.</param>
    public void WriteLine(IResource resource, string text, bool isErrorStream = false, string? source = null)
    {
        Record(resource, text, isErrorStream, source ?? resource.Name);
        console.WriteResourceLine(source ?? resource.Name, text);
    }

    /// <summary>Records what the app host did to a resource, for its log only: the app host's own log already told the console.</summary>
    public void WriteEvent(IResource resource, string text, string? source = null) =>
        Record(resource, "[apphost] " + text, isErrorStream: true, source ?? resource.Name);

    private void Record(IResource resource, string text, bool isErrorStream, string source)
    {
        lock (_gate)
        {
            var line = new ResourceLogLine(DateTimeOffset.UtcNow, text, isErrorStream, source) { ResourceName = resource.Name, Sequence = ++_sequence };
            if (!_lines.TryGetValue(resource.Name, out var queue))
            {
                _lines[resource.Name] = queue = new Queue<ResourceLogLine>();
            }

            if (queue.Count == LinesKeptPerResource)
            {
                queue.Dequeue();
            }

            queue.Enqueue(line);
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(line);
            }
        }
    }

    /// <summary>The last lines a resource wrote, oldest first.</summary>
    public IReadOnlyList<ResourceLogLine> GetTail(string resourceName, int count = LinesKeptPerResource)
    {
        lock (_gate)
        {
            return _lines.TryGetValue(resourceName, out var queue) ? [.. queue.TakeLast(count)] : [];
        }
    }

    /// <summary>The last lines of every resource, merged in the order they came, oldest first.</summary>
    public IReadOnlyList<ResourceLogLine> GetAllTail(int count = LinesKeptPerResource)
    {
        lock (_gate)
        {
            return [.. _lines.Values.SelectMany(queue => queue).OrderBy(line => line.Sequence).TakeLast(count)];
        }
    }

    /// <summary>
    /// Streams every line from now on. A reader that falls far behind loses the oldest lines it has not read
    /// rather than holding them all in memory.
    /// </summary>
    public async IAsyncEnumerable<ResourceLogLine> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<ResourceLogLine>(new BoundedChannelOptions(LinesKeptPerResource)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            _watchers.Add(channel);
        }

        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return line;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }
}
