namespace AddressBook.Hosting;

/// <summary>
/// Merges the output of every resource into the app host's console, one line at a time, each
/// prefixed with its resource name in a color of its own; the children's own colors pass through.
/// </summary>
public sealed class ResourceConsole
{
    private static readonly string[] PrefixColors = ["\e[36m", "\e[33m", "\e[35m", "\e[32m", "\e[34m", "\e[96m", "\e[93m", "\e[95m"];
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _prefixes = new(StringComparer.Ordinal);
    private readonly bool _useColor = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
    private int _width = 10;

    /// <summary>Whether resource output is echoed at all; tests keep it in memory only.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Writes one line of a resource's output.</summary>
    public void WriteResourceLine(string resourceName, string text)
    {
        if (!Enabled)
        {
            return;
        }

        lock (_gate)
        {
            if (!_prefixes.TryGetValue(resourceName, out var prefix))
            {
                _width = Math.Max(_width, resourceName.Length);
                var color = PrefixColors[_prefixes.Count % PrefixColors.Length];
                _prefixes[resourceName] = prefix = _useColor ? $"{color}{resourceName.PadRight(_width)} |\e[0m " : $"{resourceName.PadRight(_width)} | ";
            }

            Console.Out.WriteLine(prefix + text);
        }
    }
}
