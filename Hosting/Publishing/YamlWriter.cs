using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AddressBook.Hosting.Publishing;

/// <summary>A YAML mapping whose keys keep the order they were added in, so that outputs are stable and read naturally.</summary>
internal sealed class YamlMap : List<KeyValuePair<string, object?>>
{
    public void Add(string key, object? value) => Add(new KeyValuePair<string, object?>(key, value));
}

/// <summary>
/// Writes YAML documents from <see cref="YamlMap"/>, lists, strings, numbers and booleans. A string is
/// written plain only when YAML cannot read it as anything else; otherwise it is double-quoted (JSON escapes,
/// which YAML shares), or a literal block when it spans lines.
/// </summary>
internal static partial class YamlWriter
{
    [GeneratedRegex(@"^[A-Za-z_/][A-Za-z0-9_./:@=-]*$")]
    private static partial Regex PlainScalar { get; }

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    };

    public static string Write(params object[] documents)
    {
        var text = new StringBuilder();
        for (var i = 0; i < documents.Length; i++)
        {
            if (i > 0)
            {
                text.Append("---\n");
            }

            WriteBlock(text, documents[i], 0);
        }

        return text.ToString();
    }

    private static void WriteBlock(StringBuilder text, object? value, int indent)
    {
        switch (value)
        {
            case YamlMap map:
                foreach (var (key, item) in map)
                {
                    text.Append(' ', indent).Append(Scalar(key));
                    WriteValue(text, item, indent);
                }

                break;
            case System.Collections.IEnumerable list and not string:
                foreach (var item in list)
                {
                    text.Append(' ', indent).Append('-');
                    if (item is YamlMap itemMap && itemMap.Count > 0)
                    {
                        // The first pair shares the dash's line; the rest line up under it.
                        var nested = new StringBuilder();
                        WriteBlock(nested, itemMap, indent + 2);
                        text.Append(' ').Append(nested.ToString(indent + 2, nested.Length - indent - 2));
                    }
                    else
                    {
                        WriteValue(text, item, indent, inList: true);
                    }
                }

                break;
            default:
                throw new ArgumentException($"Not a YAML block: {value}", nameof(value));
        }
    }

    private static void WriteValue(StringBuilder text, object? value, int indent, bool inList = false)
    {
        var separator = inList ? " " : ": ";
        switch (value)
        {
            case YamlMap { Count: 0 }:
                text.Append(separator).Append("{}\n");
                break;
            case YamlMap map:
                text.Append(inList ? "\n" : ":\n");
                WriteBlock(text, map, indent + 2);
                break;
            case string multiline when multiline.Contains('\n', StringComparison.Ordinal):
                text.Append(separator).Append(multiline.EndsWith('\n') ? "|\n" : "|-\n");
                foreach (var line in multiline.TrimEnd('\n').Split('\n'))
                {
                    text.Append(line.Length == 0 ? "" : new string(' ', indent + 2) + line).Append('\n');
                }

                break;
            case System.Collections.IEnumerable list and not string:
                var items = list.Cast<object?>().ToList();
                if (items.Count == 0)
                {
                    text.Append(separator).Append("[]\n");
                    break;
                }

                text.Append(inList ? "\n" : ":\n");
                WriteBlock(text, items, indent + (inList ? 2 : 0));
                break;
            default:
                text.Append(separator).Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static string Scalar(object? value) => value switch
    {
        null => "null",
        bool flag => flag ? "true" : "false",
        int or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        string text when PlainScalar.IsMatch(text) && !text.EndsWith(':') && !Reserved.Contains(text) => text,
        string text => JsonSerializer.Serialize(text, JsonOptions),
        _ => throw new ArgumentException($"Not a YAML scalar: {value.GetType().Name}", nameof(value)),
    };

    // Keeps characters such as '+' and '<' as they are; YAML needs only quotes, backslashes and control characters escaped.
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
