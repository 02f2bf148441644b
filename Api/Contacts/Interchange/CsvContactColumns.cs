using System.Globalization;
using AddressBook.Api.Data;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>
/// The CSV layout: one row per contact under a header row, one column per value so a spreadsheet can edit it.
/// <code>
/// First Name, Last Name, Company, Title, Birthday (yyyy-MM-dd), Favorite (true/false), Tags, Notes,
/// Email 1, Email 1 Label, … Email N, Email N Label,
/// Phone 1, Phone 1 Label, … Phone N, Phone N Label,
/// Address 1 Street, Address 1 Locality, Address 1 Region, Address 1 Postal Code, Address 1 Country, Address 1 Label, …
/// Id, Created At, Updated At
/// </code>
/// Tags share one cell, separated by commas; a comma or backslash inside a tag is written \, or \\. Notes and
/// streets keep their line breaks inside the quoted cell. Id, Created At and Updated At are written for reference
/// and not read back, as the address book assigns them.
/// </summary>
/// <param name="Emails">How many email columns (value and label) a row has.</param>
/// <param name="Phones">How many phone columns (value and label) a row has.</param>
/// <param name="Addresses">How many address column groups a row has.</param>
public sealed record CsvContactColumns(int Emails, int Phones, int Addresses)
{
    internal const string FirstName = "First Name";
    internal const string LastName = "Last Name";
    internal const string Company = "Company";
    internal const string Title = "Title";
    internal const string Birthday = "Birthday";
    internal const string Favorite = "Favorite";
    internal const string Tags = "Tags";
    internal const string Notes = "Notes";
    internal const string Email = "Email";
    internal const string Phone = "Phone";
    internal const string Address = "Address";
    internal const string Label = "Label";

    /// <summary>After a number: "Address 1 Street". The label comes last, as it does for emails and phones.</summary>
    internal static readonly string[] AddressParts = ["Street", "Locality", "Region", "Postal Code", "Country", Label];

    /// <summary>Enough columns for any contact the address book accepts.</summary>
    public static CsvContactColumns AllAllowed { get; } = new(ContactDetails.MaxEmails, ContactDetails.MaxPhones, ContactDetails.MaxAddresses);

    internal string[] HeaderNames() =>
    [
        FirstName, LastName, Company, Title, Birthday, Favorite, Tags, Notes,
        .. Numbered(Emails, n => [$"{Email} {n}", $"{Email} {n} {Label}"]),
        .. Numbered(Phones, n => [$"{Phone} {n}", $"{Phone} {n} {Label}"]),
        .. Numbered(Addresses, n => AddressParts.Select(part => $"{Address} {n} {part}")),
        "Id", "Created At", "Updated At",
    ];

    /// <summary>The row of <paramref name="contact"/>, in the order of <see cref="HeaderNames"/>.</summary>
    internal string?[] Fields(ContactDto contact) =>
    [
        contact.FirstName, contact.LastName, contact.Company, contact.Title,
        contact.Birthday?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        contact.Favorite ? "true" : "false",
        CsvTagList.Join(contact.Tags),
        contact.Notes,
        .. Padded(contact, Email, contact.Emails, Emails, 2, email => [email.Value, email.Label]),
        .. Padded(contact, Phone, contact.Phones, Phones, 2, phone => [phone.Value, phone.Label]),
        .. Padded(contact, Address, contact.Addresses, Addresses, AddressParts.Length,
            address => [address.Street, address.Locality, address.Region, address.PostalCode, address.Country, address.Label]),
        contact.Id.ToString(CultureInfo.InvariantCulture),
        contact.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        contact.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
    ];

    private static IEnumerable<string> Numbered(int count, Func<int, IEnumerable<string>> names) =>
        Enumerable.Range(1, count).SelectMany(names);

    private static IEnumerable<string?> Padded<T>(ContactDto contact, string kind, IReadOnlyList<T> values, int columns, int width, Func<T, string?[]> fields)
    {
        if (values.Count > columns)
        {
            throw new InvalidOperationException(
                $"Contact {contact.Id} has {values.Count} values of kind {kind}; the CSV layout has columns for {columns}.");
        }

        return values.SelectMany(fields).Concat(Enumerable.Repeat<string?>(null, (columns - values.Count) * width));
    }
}
