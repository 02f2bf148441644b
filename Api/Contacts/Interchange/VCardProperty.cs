using System.Text;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>
/// A vCard content line split into its parts (RFC 6350 §3.3): <c>[group "."] name *(";" param) ":" value</c>. The value
/// is left raw, as how it is unescaped depends on the property's value type.
/// </summary>
internal sealed class VCardProperty
{
    private static readonly HashSet<string> BareEncodings = new(["QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT"], StringComparer.OrdinalIgnoreCase);

    private readonly Dictionary<string, List<string>> parameters;

    private VCardProperty(string? group, string name, Dictionary<string, List<string>> parameters, string value)
    {
        Group = group;
        Name = name;
        this.parameters = parameters;
        Value = value;
    }

    public string? Group { get; }

    /// <summary>Upper case, as names are case-insensitive.</summary>
    public string Name { get; }

    public string Value { get; }

    /// <summary>The TYPE values in lower case, however they were listed: TYPE=work,home, TYPE=work;TYPE=home, TYPE="work,home".</summary>
    public IEnumerable<string> Types => Parameters("TYPE")
        .SelectMany(value => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        .Select(type => type.ToLowerInvariant());

    public IReadOnlyList<string> Parameters(string name) => parameters.TryGetValue(name, out var values) ? values : [];

    public string? Parameter(string name) => Parameters(name) is [var first, ..] ? first : null;

    public bool HasParameter(string name, string value) =>
        Parameters(name).Any(v => v.Equals(value, StringComparison.OrdinalIgnoreCase));

    /// <summary>The property, or null when the line is not <c>NAME[;params]:value</c>.</summary>
    public static VCardProperty? Parse(string line)
    {
        var nameEnd = line.AsSpan().IndexOfAny(".;:");
        if (nameEnd <= 0)
        {
            return null;
        }

        string? group = null;
        var position = 0;
        if (line[nameEnd] == '.')
        {
            group = line[..nameEnd];
            position = nameEnd + 1;
            nameEnd = line.AsSpan(position).IndexOfAny(";:") is var end and >= 0 ? position + end : -1;
            if (nameEnd <= position)
            {
                return null;
            }
        }

        var name = line[position..nameEnd].Trim().ToUpperInvariant();
        var parameters = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        position = nameEnd;
        while (position < line.Length && line[position] == ';')
        {
            position = ParseParameter(line, position + 1, parameters);
            if (position < 0)
            {
                return null;
            }
        }

        return position < line.Length && line[position] == ':'
            ? new VCardProperty(group, name, parameters, line[(position + 1)..])
            : null;
    }

    /// <summary>Reads one parameter from <paramref name="position"/>; returns where it ends, or -1 when it is malformed.</summary>
    private static int ParseParameter(string line, int position, Dictionary<string, List<string>> parameters)
    {
        var nameEnd = line.AsSpan(position).IndexOfAny("=;:");
        if (nameEnd < 0)
        {
            return -1;
        }

        var name = line.Substring(position, nameEnd).Trim();
        position += nameEnd;
        if (line[position] != '=')
        {
            // vCard 2.1 lists types and encodings bare: TEL;WORK;VOICE:... and NOTE;QUOTED-PRINTABLE:...
            Add(parameters, BareEncodings.Contains(name) ? "ENCODING" : "TYPE", name);
            return position;
        }

        do
        {
            position++;
            string value;
            if (position < line.Length && line[position] == '"')
            {
                var closingQuote = line.IndexOf('"', position + 1);
                if (closingQuote < 0)
                {
                    return -1;
                }

                value = line[(position + 1)..closingQuote];
                position = closingQuote + 1;
            }
            else
            {
                var valueEnd = line.AsSpan(position).IndexOfAny(",;:");
                if (valueEnd < 0)
                {
                    return -1;
                }

                value = line.Substring(position, valueEnd);
                position += valueEnd;
            }

            Add(parameters, name, DecodeCaret(value));
        }
        while (position < line.Length && line[position] == ',');

        return position;
    }

    private static void Add(Dictionary<string, List<string>> parameters, string name, string value)
    {
        if (!parameters.TryGetValue(name, out var values))
        {
            parameters[name] = values = [];
        }

        values.Add(value);
    }

    /// <summary>RFC 6868: parameter values carry ^n for a line break, ^' for a double quote, ^^ for a caret.</summary>
    private static string DecodeCaret(string value)
    {
        if (!value.Contains('^'))
        {
            return value;
        }

        var decoded = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var next = i + 1 < value.Length ? value[i + 1] : '\0';
            switch (value[i], next)
            {
                case ('^', 'n' or 'N'):
                    decoded.Append('\n');
                    i++;
                    break;
                case ('^', '\''):
                    decoded.Append('"');
                    i++;
                    break;
                case ('^', '^'):
                    decoded.Append('^');
                    i++;
                    break;
                default:
                    decoded.Append(value[i]);
                    break;
            }
        }

        return decoded.ToString();
    }
}
