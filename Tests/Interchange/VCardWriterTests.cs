extern alias Api;

using System.Text;
using Api::AddressBook.Api.Contacts;
using Api::AddressBook.Api.Contacts.Interchange;
using Api::AddressBook.Api.Data;
using static AddressBook.Tests.Interchange.InterchangeAssert;

namespace AddressBook.Tests.Interchange;

public sealed class VCardWriterTests
{
    private static async Task<byte[]> WriteAsync(params ContactDto[] contacts)
    {
        using var output = new MemoryStream();
        await VCardWriter.WriteAsync(output, contacts.ToAsyncEnumerable());
        return output.ToArray();
    }

    [Fact]
    public async Task A_contact_is_written_as_a_vcard_4_with_crlf_line_ends()
    {
        var contact = Contact(
            company: "Analytical Engines",
            title: "Countess",
            birthday: new DateOnly(1815, 12, 10),
            notes: "First programmer",
            favorite: true,
            tags: ["math", "history"],
            emails: [new("work", "ada@example.org")],
            phones: [new("mobile", "+44 20 7946 0958")],
            addresses: [new("home", "12 St James's Square", "London", null, "SW1Y 4JH", "UK")]);

        var text = Encoding.UTF8.GetString(await WriteAsync(contact));

        Assert.Equal("""
            BEGIN:VCARD
            VERSION:4.0
            UID;VALUE=text:42
            REV:20250607T060910Z
            FN:Ada Lovelace
            N:Lovelace;Ada;;;
            ORG:Analytical Engines
            TITLE:Countess
            BDAY:18151210
            NOTE:First programmer
            CATEGORIES:math,history
            X-ADDRESSBOOK-FAVORITE:TRUE
            EMAIL;TYPE=work:ada@example.org
            TEL;VALUE=text;TYPE=cell:+44 20 7946 0958
            ADR;TYPE=home:;;12 St James's Square;London;;SW1Y 4JH;UK
            END:VCARD

            """.ReplaceLineEndings("\r\n"), text);
    }

    [Fact]
    public async Task Details_a_contact_lacks_are_left_out()
    {
        var text = Encoding.UTF8.GetString(await WriteAsync(Contact(lastName: null)));

        Assert.Equal("BEGIN:VCARD\r\nVERSION:4.0\r\nUID;VALUE=text:42\r\nREV:20250607T060910Z\r\nFN:Ada\r\nN:;Ada;;;\r\nEND:VCARD\r\n", text);
    }

    [Fact]
    public async Task Labels_types_cannot_say_exactly_go_in_an_x_ablabel_of_their_group()
    {
        var text = Encoding.UTF8.GetString(await WriteAsync(Contact(
            emails: [new("Lake house", "lake@example.org"), new("home", "home@example.org")],
            phones: [new("work fax", "+1 555 0100"), new("Work", "+1 555 0101")])));

        Assert.Contains("\r\nitem1.EMAIL:lake@example.org\r\nitem1.X-ABLabel:Lake house\r\n", text);
        Assert.Contains("\r\nEMAIL;TYPE=home:home@example.org\r\n", text);
        Assert.Contains("\r\nTEL;VALUE=text;TYPE=work,fax:+1 555 0100\r\n", text);
        Assert.Contains("\r\nitem2.TEL;VALUE=text;TYPE=work:+1 555 0101\r\nitem2.X-ABLabel:Work\r\n", text);
    }

    [Fact]
    public async Task Text_is_escaped_as_rfc_6350_asks()
    {
        var text = Encoding.UTF8.GetString(await WriteAsync(Contact(notes: "a,b;c\\d\r\ne\nf", tags: ["x,y", "z"])));

        Assert.Contains("\r\nNOTE:a\\,b\\;c\\\\d\\ne\\nf\r\n", text);
        Assert.Contains("\r\nCATEGORIES:x\\,y,z\r\n", text);
    }

    [Fact]
    public async Task Long_lines_are_folded_at_75_octets_without_splitting_a_utf8_sequence()
    {
        var notes = string.Concat(Enumerable.Repeat("Grüße 😀 日本語 ", 40));
        var bytes = await WriteAsync(Contact(notes: notes));

        var physicalLines = SplitCrlf(bytes);
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        Assert.All(physicalLines, line => Assert.InRange(line.Length, 0, 75));
        Assert.All(physicalLines, line => strict.GetString(line));
        Assert.Contains(physicalLines, line => line.Length >= 72);
        var unfolded = strict.GetString(bytes).Replace("\r\n ", "");
        Assert.Contains($"\r\nNOTE:{notes}\r\n", unfolded);
    }

    [Fact]
    public async Task Several_contacts_are_written_one_card_after_another()
    {
        var records = await ReadAllAsync(VCardReader.ReadAsync(new MemoryStream(await WriteAsync(
            Contact(firstName: "One"), Contact(firstName: "Two"), Contact(firstName: "Three")))));

        Assert.Equal(["One", "Two", "Three"], records.Select(r => r.Contact?.FirstName));
        Assert.Equal([1, 8, 15], records.Select(r => r.LineNumber));
    }

    public static TheoryData<ContactDto> RoundTripContacts => new()
    {
        Everything(),
        Contact(),
        Contact(lastName: null, notes: "\\", tags: [","]),
        Contact(firstName: new string('é', 300), notes: string.Concat(Enumerable.Repeat("😀", 500)), company: new string(';', 100)),
        Contact(phones: [new("text", "1"), new("voice", "2"), new("pager video", "3"), new("mobile", "4"), new("", "5")]),
        Contact(addresses: [new(null, null, null, null, null, "Iceland"), new("work", "a;b,c\\d", "x,y", "r", "p", "c")]),
    };

    [Theory]
    [MemberData(nameof(RoundTripContacts))]
    public async Task What_is_written_reads_back_as_the_same_contact(ContactDto contact)
    {
        var records = await ReadAllAsync(VCardReader.ReadAsync(new MemoryStream(await WriteAsync(contact))));

        SameContact(contact, SingleContact(records));
    }

    private static List<byte[]> SplitCrlf(byte[] bytes)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i + 1 < bytes.Length; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 2;
            }
        }

        Assert.Equal(bytes.Length, start);
        return lines;
    }
}
