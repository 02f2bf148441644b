using System.Globalization;
using System.Text;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>The escaping of vCard text values (RFC 6350 §3.4) and their lists and structures.</summary>
internal static class VCardText
{
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\':
                    escaped.Append(@"\\");
                    break;
                case ',':
                    escaped.Append(@"\,");
                    break;
                case ';':
                    escaped.Append(@"\;");
                    break;
                case '\r':
                    escaped.Append(@"\n");
                    if (i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        i++;
                    }

                    break;
                case '\n':
                    escaped.Append(@"\n");
                    break;
                default:
                    escaped.Append(text[i]);
                    break;
            }
        }

        return escaped.ToString();
    }

    /// <summary>
    /// Undoes <see cref="Escape"/>. A backslash before any other character is dropped and the character kept, as some
    /// writers escape more than the RFC asks (a colon, say).
    /// </summary>
    public static string Unescape(string raw)
    {
        if (!raw.Contains('\\'))
        {
            return raw;
        }

        var text = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\\' || i + 1 == raw.Length)
            {
                text.Append(raw[i]);
                continue;
            }

            i++;
            text.Append(raw[i] is 'n' or 'N' ? '\n' : raw[i]);
        }

        return text.ToString();
    }

    /// <summary>Splits a raw value at the separators that are not escaped; the parts stay escaped.</summary>
    public static List<string> Split(string raw, char separator)
    {
        var parts = new List<string>();
        var partStart = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\')
            {
                i++;
            }
            else if (raw[i] == separator)
            {
                parts.Add(raw[partStart..i]);
                partStart = i + 1;
            }
        }

        parts.Add(raw[partStart..]);
        return parts;
    }

    /// <summary>A comma-separated list of text values (CATEGORIES, or one component of a structured value).</summary>
    public static List<string> List(string raw) => [.. Split(raw, ',').Select(Unescape)];

    /// <summary>The components of a structured value (N, ADR, ORG), each a list of text values.</summary>
    public static List<List<string>> Components(string raw) => [.. Split(raw, ';').Select(List)];

    /// <summary>
    /// Decodes a vCard 2.1/3.0 QUOTED-PRINTABLE value, as older phones write them, whose bytes are in
    /// <paramref name="charset"/> (UTF-8 when not given).
    /// </summary>
    public static string DecodeQuotedPrintable(string raw, string? charset, int lineNumber)
    {
        Encoding encoding;
        try
        {
            encoding = charset is null ? Encoding.UTF8 : Encoding.GetEncoding(charset);
        }
        catch (ArgumentException)
        {
            throw new FormatException($"Line {lineNumber}: the character set {charset} is not one this address book reads; use UTF-8.");
        }

        var bytes = new List<byte>(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '=' && i + 2 < raw.Length
                && byte.TryParse(raw.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var decoded))
            {
                bytes.Add(decoded);
                i += 2;
            }
            else
            {
                // Quoted-printable text is 7-bit; anything else came as UTF-8, which the line was checked to be.
                var next = raw.IndexOf('=', i + 1) is var equals and >= 0 ? equals : raw.Length;
                bytes.AddRange(Encoding.UTF8.GetBytes(raw[i..next]));
                i = next - 1;
            }
        }

        return encoding.GetString([.. bytes]);
    }
}
