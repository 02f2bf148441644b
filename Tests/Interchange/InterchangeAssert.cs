extern alias Api;

using System.Text;
using Api::AddressBook.Api.Contacts;
using Api::AddressBook.Api.Contacts.Interchange;
using Api::AddressBook.Api.Data;

namespace AddressBook.Tests.Interchange;

/// <summary>Reading helpers and the one definition of "the file gave back the contact" for both formats' round trips.</summary>
internal static class InterchangeAssert
{
    public static Stream Utf8(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Reads <paramref name="repeated"/> many times over from a file it never holds whole, and tells how far into it
    /// the reader had got when the first record came out: a streaming reader has read no more than its buffer.
    /// </summary>
    public static async Task<(ContactRecord First, long BytesRead, long FileBytes)> FirstOfLargeFileAsync(
        string header, string repeated, Func<Stream, IAsyncEnumerable<ContactRecord>> read)
    {
        var file = Encoding.UTF8.GetBytes(header + string.Concat(Enumerable.Repeat(repeated, 20_000)));
        var stream = new MemoryStream(file);
        await foreach (var record in read(stream))
        {
            return (record, stream.Position, file.Length);
        }

        throw new InvalidOperationException("No record was read.");
    }

    public static async Task<List<ContactRecord>> ReadAllAsync(IAsyncEnumerable<ContactRecord> records) => await records.ToListAsync();

    public static ContactInput SingleContact(List<ContactRecord> records)
    {
        var record = Assert.Single(records);
        Assert.True(record.IsContact, record.Error);
        return record.Contact;
    }

    public static ContactRecord SingleError(List<ContactRecord> records)
    {
        var record = Assert.Single(records);
        Assert.False(record.IsContact, $"Expected an error, read {record.Contact}");
        return record;
    }

    /// <summary>
    /// Every field of <paramref name="expected"/> is in <paramref name="actual"/>; an empty list or a false favourite
    /// may come back as null, "not given", which a new contact stores the same.
    /// </summary>
    public static void SameContact(ContactDto expected, ContactInput actual)
    {
        Assert.Equal(expected.FirstName, actual.FirstName);
        Assert.Equal(expected.LastName, actual.LastName);
        Assert.Equal(expected.Company, actual.Company);
        Assert.Equal(expected.Title, actual.Title);
        Assert.Equal(expected.Birthday?.ToString("yyyy-MM-dd"), actual.Birthday);
        Assert.Equal(expected.Notes, actual.Notes);
        Assert.Equal(expected.Favorite, actual.Favorite ?? false);
        Assert.Equal(expected.Tags, actual.Tags ?? []);
        Assert.Equal(expected.Emails, actual.Emails ?? []);
        Assert.Equal(expected.Phones, actual.Phones ?? []);
        Assert.Equal(expected.Addresses, actual.Addresses ?? []);
    }

    public static ContactDto Contact(
        string firstName = "Ada",
        string? lastName = "Lovelace",
        string? company = null,
        string? title = null,
        DateOnly? birthday = null,
        string? notes = null,
        bool favorite = false,
        string[]? tags = null,
        LabelledValue[]? emails = null,
        LabelledValue[]? phones = null,
        PostalAddress[]? addresses = null) =>
        new(42, firstName, lastName, company, title, birthday, notes, favorite, tags ?? [], emails ?? [], phones ?? [], addresses ?? [],
            new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), new DateTimeOffset(2025, 6, 7, 8, 9, 10, TimeSpan.FromHours(2)));

    /// <summary>A contact with every field set to values that test the formats' escaping, folding and labels.</summary>
    public static ContactDto Everything() => Contact(
        firstName: "Zoë, \"Zee\"",
        lastName: "Ångström; Née \\ Smith",
        company: "Café Müller, Ltd.; Research",
        title: "Chief Engineer 🚀",
        birthday: new DateOnly(1984, 2, 29),
        notes: "Met at the conference; likes tea, not coffee.\nSecond line \\ with a backslash.\n\n" + string.Concat(Enumerable.Repeat("Ünïcødé and 😀 emoji, 日本語のテキスト. ", 12)),
        favorite: true,
        tags: ["friends", "Smith, Jones family", "back\\slash", "été"],
        emails: [new("work", "zoe@example.org"), new(null, "z@home.example"), new("Lake house", "lake@example.org"), new("Work", "w@example.org")],
        phones: [new("mobile", "+44 (20) 7946-0958"), new("work fax", "+1 555 0100"), new("cell", "555-0101"), new(null, "0123 456"), new("Ferienhaus am See", "+49 30 1234")],
        addresses:
        [
            new("home", "1 High St\nFlat 2, Back door", "London", null, "N1 9GU", "UK"),
            new("Büro; 2nd floor", null, "Zürich", "ZH", "8001", "Schweiz"),
            new(null, "221B Baker St", null, null, null, null),
        ]);
}
