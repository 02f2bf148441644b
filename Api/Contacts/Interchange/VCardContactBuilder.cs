using System.Globalization;
using AddressBook.Api.Data;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>
/// Gathers the properties of one vCard into a contact. Properties the address book has no field for are ignored;
/// the first problem found makes the whole card an error, reported at the line where the card began.
/// </summary>
internal sealed class VCardContactBuilder(int startLine)
{
    private const int MaxProperties = 1_000;

    private readonly List<string> notes = [];
    private readonly List<string> tags = [];
    private readonly List<Labelled<LabelledValue>> emails = [];
    private readonly List<Labelled<LabelledValue>> phones = [];
    private readonly List<Labelled<PostalAddress>> addresses = [];
    private readonly Dictionary<string, string> groupLabels = new(StringComparer.OrdinalIgnoreCase);
    private List<List<string>>? name;
    private string? formattedName;
    private string? company;
    private string? title;
    private string? birthday;
    private bool? favorite;
    private int properties;
    private string? error;

    public int StartLine => startLine;

    public void Add(UnfoldedLine line)
    {
        if (error is not null || string.IsNullOrWhiteSpace(line.Text))
        {
            return;
        }

        if (line.InvalidUtf8Line is { } invalidLine)
        {
            error = $"Line {invalidLine} is not valid UTF-8 text.";
            return;
        }

        if (VCardProperty.Parse(line.Text) is not { } property)
        {
            error = $"Line {line.Number} is not a vCard property such as NAME:value.";
            return;
        }

        try
        {
            Apply(property, line);
        }
        catch (FormatException problem)
        {
            error = problem.Message;
        }
    }

    public ContactRecord Build()
    {
        // Additional names are middle names, part of the first name here; honorific prefixes and suffixes are not kept.
        var given = name is null ? null : Join(" ", name.Skip(1).Take(2).SelectMany(part => part));
        var family = name is [var familyNames, ..] ? Join(" ", familyNames) : null;
        var firstName = given ?? formattedName ?? family;
        if (error is null && firstName is null)
        {
            error = $"The vCard that starts on line {startLine} has no name: it needs N or FN.";
        }

        if (error is not null)
        {
            return ContactRecord.Failed(startLine, error);
        }

        return ContactRecord.Read(startLine, new ContactInput(
            firstName,
            given is null ? null : family,
            company,
            title,
            birthday,
            notes.Count > 0 ? string.Join('\n', notes) : null,
            favorite,
            tags.Count > 0 ? tags : null,
            emails.Count > 0 ? Ordered(emails, (email, label) => email with { Label = label }) : null,
            phones.Count > 0 ? Ordered(phones, (phone, label) => phone with { Label = label }) : null,
            addresses.Count > 0 ? Ordered(addresses, (address, label) => address with { Label = label }) : null));
    }

    private void Apply(VCardProperty property, UnfoldedLine line)
    {
        if (!IsUsed(property.Name))
        {
            return;
        }

        if (line.TooLong)
        {
            throw new FormatException($"Line {line.Number}: the {property.Name} property is longer than {VCardLineReader.MaxLineBytes / 1024} KiB.");
        }

        if (++properties > MaxProperties)
        {
            throw new FormatException($"The vCard that starts on line {startLine} has more than {MaxProperties} properties.");
        }

        var raw = RawValue(property, line.Number);
        switch (property.Name)
        {
            case "N":
                name ??= VCardText.Components(raw);
                break;
            case "FN":
                formattedName ??= Tidy(VCardText.Unescape(raw));
                break;
            case "ORG":
                company ??= Join(", ", VCardText.Components(raw).Select(unit => Join(", ", unit)).OfType<string>());
                break;
            case "TITLE":
                title ??= Tidy(VCardText.Unescape(raw));
                break;
            case "NOTE":
                notes.Add(VCardText.Unescape(raw));
                break;
            case "BDAY":
                birthday ??= VCardBirthday.Parse(property, raw, line.Number);
                break;
            case "CATEGORIES":
                tags.AddRange(VCardText.List(raw).Select(tag => tag.Trim()).Where(tag => tag.Length > 0));
                break;
            case "EMAIL":
                emails.Add(LabelledOf(property, new LabelledValue(null, VCardText.Unescape(raw).Trim())));
                break;
            case "TEL":
                phones.Add(LabelledOf(property, new LabelledValue(null, PhoneNumber(raw))));
                break;
            case "ADR":
                addresses.Add(LabelledOf(property, Address(VCardText.Components(raw))));
                break;
            case "X-ABLABEL" when property.Group is not null:
                groupLabels[property.Group] = VCardLabels.FromAppleLabel(VCardText.Unescape(raw).Trim());
                break;
            case VCardWriter.FavoriteProperty:
                favorite = Favorite(VCardText.Unescape(raw).Trim(), line.Number);
                break;
        }
    }

    private static bool IsUsed(string propertyName) => propertyName is "N" or "FN" or "ORG" or "TITLE" or "NOTE" or "BDAY"
        or "CATEGORIES" or "EMAIL" or "TEL" or "ADR" or "X-ABLABEL" or VCardWriter.FavoriteProperty;

    private static string RawValue(VCardProperty property, int lineNumber) =>
        property.HasParameter("ENCODING", "QUOTED-PRINTABLE")
            ? VCardText.DecodeQuotedPrintable(property.Value, property.Parameter("CHARSET"), lineNumber)
            : property.Value;

    /// <summary>vCard 4.0 writes numbers as tel: URIs (tel:+1-418-656-9254;ext=102); 3.0 and most apps as text.</summary>
    private static string PhoneNumber(string raw) =>
        raw.StartsWith("tel:", StringComparison.OrdinalIgnoreCase) ? Uri.UnescapeDataString(raw[4..]).Trim() : VCardText.Unescape(raw).Trim();

    /// <summary>
    /// ADR's seven components: post office box, extended address, street, locality, region, postal code, country. The
    /// first two, which RFC 6350 deprecates, become further lines of the street rather than being lost.
    /// </summary>
    private static PostalAddress Address(List<List<string>> components)
    {
        string? Component(int index) => index < components.Count ? Join(", ", components[index]) : null;
        var street = Join("\n", new[] { Component(2), Component(1), Component(0) }.OfType<string>());
        return new PostalAddress(null, street, Component(3), Component(4), Component(5), Component(6));
    }

    private static bool Favorite(string value, int lineNumber) => value.ToUpperInvariant() switch
    {
        "TRUE" or "YES" or "1" => true,
        "FALSE" or "NO" or "0" => false,
        _ => throw new FormatException($"Line {lineNumber}: {VCardWriter.FavoriteProperty} is TRUE or FALSE, not '{value}'."),
    };

    /// <summary>
    /// In the order of preference (PREF=1 first, vCard 3.0's TYPE=pref next, then the rest), keeping the file's
    /// order otherwise; with the label of the value's group, else the one its TYPE values say.
    /// </summary>
    private List<T> Ordered<T>(List<Labelled<T>> values, Func<T, string?, T> withLabel) =>
    [
        .. values.OrderBy(value => value.Preference)
            .Select(value => withLabel(value.Value, value.Group is not null && groupLabels.TryGetValue(value.Group, out var label) ? label : value.TypeLabel)),
    ];

    private static string? Tidy(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string? Join(string separator, IEnumerable<string> parts) =>
        Tidy(string.Join(separator, parts.Select(part => part.Trim()).Where(part => part.Length > 0)));

    private sealed record Labelled<T>(T Value, string? Group, string? TypeLabel, int Preference);

    private static Labelled<T> LabelledOf<T>(VCardProperty property, T value)
    {
        const int noPreference = 101;
        var types = property.Types.ToList();
        var preference = int.TryParse(property.Parameter("PREF"), NumberStyles.None, CultureInfo.InvariantCulture, out var pref)
            ? pref
            : types.Contains("pref") ? 1 : noPreference;
        return new Labelled<T>(value, property.Group, VCardLabels.FromTypes(types), preference);
    }
}
