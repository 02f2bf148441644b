using System.Globalization;
using AddressBook.Api.Data;
using CsvHelper;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>
/// Where a file's columns are, found from its header: names match <see cref="CsvContactColumns"/>'s ignoring case,
/// spaces, hyphens and underscores ("first_name", "E-mail 1"), in any order; other columns are ignored, and numbered
/// columns may be any numbers, read in their order.
/// </summary>
internal sealed class CsvColumnMap
{
    private const int Absent = -1;

    private readonly Dictionary<string, int> single;
    private readonly SortedDictionary<int, int[]> emails = [];
    private readonly SortedDictionary<int, int[]> phones = [];
    private readonly SortedDictionary<int, int[]> addresses = [];

    // The numbered columns' slots in number order, as each record reads them.
    private readonly int[][] emailSlots;
    private readonly int[][] phoneSlots;
    private readonly int[][] addressSlots;

    private CsvColumnMap(IReadOnlyList<string> headers)
    {
        // Keyed by the layout's own names, so that reading a record looks them up without normalizing again.
        single = new Dictionary<string, int>
        {
            [CsvContactColumns.FirstName] = Absent,
            [CsvContactColumns.LastName] = Absent,
            [CsvContactColumns.Company] = Absent,
            [CsvContactColumns.Title] = Absent,
            [CsvContactColumns.Birthday] = Absent,
            [CsvContactColumns.Favorite] = Absent,
            [CsvContactColumns.Tags] = Absent,
            [CsvContactColumns.Notes] = Absent,
        };

        var seen = new Dictionary<string, int>();
        for (var column = 0; column < headers.Count; column++)
        {
            var name = Normalize(headers[column]);
            if (name.Length > 0 && !seen.TryAdd(name, column))
            {
                throw new ContactFileFormatException(1, $"The header names the column '{headers[column].Trim()}' twice: columns {seen[name] + 1} and {column + 1}.");
            }

            Place(name, column);
        }

        (emailSlots, phoneSlots, addressSlots) = ([.. emails.Values], [.. phones.Values], [.. addresses.Values]);
        if (single[CsvContactColumns.FirstName] == Absent)
        {
            throw new ContactFileFormatException(1, $"The header has no '{CsvContactColumns.FirstName}' column; every contact needs a first name.");
        }
    }

    public static CsvColumnMap Create(IReadOnlyList<string> headers) => headers.Count == 0
        ? throw new ContactFileFormatException(1, $"The file is empty; it needs a header row naming its columns, '{CsvContactColumns.FirstName}' among them.")
        : new CsvColumnMap(headers);

    /// <summary>The contact of the reader's current record, or the error that stops it.</summary>
    public ContactRecord Read(CsvReader reader, int lineNumber)
    {
        string? Named(string name) => Cell(reader, single[name]);

        var favorite = Named(CsvContactColumns.Favorite);
        bool? isFavorite = favorite?.Trim().ToUpperInvariant() switch
        {
            null => null,
            "TRUE" or "YES" or "Y" or "1" => true,
            "FALSE" or "NO" or "N" or "0" => false,
            _ => null,
        };
        if (favorite is not null && isFavorite is null)
        {
            return ContactRecord.Failed(lineNumber, $"Line {lineNumber}: {CsvContactColumns.Favorite} is true or false (or yes/no, 1/0), not '{favorite}'.");
        }

        var tags = Named(CsvContactColumns.Tags);
        return ContactRecord.Read(lineNumber, new ContactInput(
            Named(CsvContactColumns.FirstName),
            Named(CsvContactColumns.LastName),
            Named(CsvContactColumns.Company),
            Named(CsvContactColumns.Title),
            Named(CsvContactColumns.Birthday)?.Trim(),
            Named(CsvContactColumns.Notes),
            isFavorite,
            tags is null ? null : CsvTagList.Split(tags),
            Values(reader, emailSlots),
            Values(reader, phoneSlots),
            Addresses(reader)));
    }

    // Loops rather than LINQ: a million records made the enumerators, closures and arrays of a query per record
    // a good part of what the garbage collector had to clear during an import.
    private static string? Cell(CsvReader reader, int column) => column == Absent || column >= reader.FieldCount
        || reader.GetString(column) is not { } value || string.IsNullOrWhiteSpace(value) ? null : value;

    private static List<LabelledValue>? Values(CsvReader reader, int[][] slots)
    {
        List<LabelledValue>? values = null;
        foreach (var pair in slots)
        {
            var (value, label) = (Cell(reader, pair[0]), Cell(reader, pair[1]));
            if (value is not null || label is not null)
            {
                (values ??= []).Add(new LabelledValue(label, value ?? ""));
            }
        }

        return values;
    }

    private List<PostalAddress>? Addresses(CsvReader reader)
    {
        List<PostalAddress>? values = null;
        foreach (var parts in addressSlots)
        {
            var (street, locality, region, postalCode, country, label) = (Cell(reader, parts[0]), Cell(reader, parts[1]), Cell(reader, parts[2]),
                Cell(reader, parts[3]), Cell(reader, parts[4]), Cell(reader, parts[5]));
            if (street is not null || locality is not null || region is not null || postalCode is not null || country is not null || label is not null)
            {
                (values ??= []).Add(new PostalAddress(label, street, locality, region, postalCode, country));
            }
        }

        return values;
    }

    private void Place(string name, int column)
    {
        if (single.Keys.FirstOrDefault(key => Normalize(key) == name) is { } known)
        {
            single[known] = column;
        }
        else if (Numbered(name, CsvContactColumns.Email, out var number, out var rest) && ValueOrLabel(rest) is var emailPart and >= 0)
        {
            Slots(emails, number, 2)[emailPart] = column;
        }
        else if (Numbered(name, CsvContactColumns.Phone, out number, out rest) && ValueOrLabel(rest) is var phonePart and >= 0)
        {
            Slots(phones, number, 2)[phonePart] = column;
        }
        else if (Numbered(name, CsvContactColumns.Address, out number, out rest)
            && Array.FindIndex(CsvContactColumns.AddressParts, part => Normalize(part) == rest) is var addressPart and >= 0)
        {
            Slots(addresses, number, CsvContactColumns.AddressParts.Length)[addressPart] = column;
        }
    }

    /// <summary>0 for a value column ("Email 1", or Google's "E-mail 1 - Value"), 1 for its label, -1 for neither.</summary>
    private static int ValueOrLabel(string rest) => rest switch
    {
        "" or "value" => 0,
        "label" => 1,
        _ => Absent,
    };

    private static bool Numbered(string name, string prefix, out int number, out string rest)
    {
        var normalizedPrefix = Normalize(prefix);
        var digits = name.StartsWith(normalizedPrefix, StringComparison.Ordinal)
            ? name[normalizedPrefix.Length..].TakeWhile(char.IsAsciiDigit).Count()
            : 0;
        rest = digits > 0 ? name[(normalizedPrefix.Length + digits)..] : "";
        number = 0;
        return digits > 0 && int.TryParse(name.AsSpan(normalizedPrefix.Length, digits), CultureInfo.InvariantCulture, out number);
    }

    private static int[] Slots(SortedDictionary<int, int[]> columns, int number, int width)
    {
        if (!columns.TryGetValue(number, out var slots))
        {
            columns[number] = slots = Enumerable.Repeat(Absent, width).ToArray();
        }

        return slots;
    }

    private static string Normalize(string header) =>
        string.Concat(header.Where(c => !char.IsWhiteSpace(c) && c is not ('-' or '_'))).ToLowerInvariant();
}
