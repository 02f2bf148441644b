extern alias Api;

using System.Text;
using Api::AddressBook.Api.Contacts;
using Api::AddressBook.Api.Contacts.Interchange;
using Api::AddressBook.Api.Data;
using static AddressBook.Tests.Interchange.InterchangeAssert;

namespace AddressBook.Tests.Interchange;

public sealed class CsvContactsTests
{
    private static Task<List<ContactRecord>> ReadAsync(string text) => ReadAllAsync(CsvContactReader.ReadAsync(Utf8(text)));

    private static async Task<string> WriteAsync(CsvContactColumns? columns, params ContactDto[] contacts)
    {
        using var output = new MemoryStream();
        await CsvContactWriter.WriteAsync(output, contacts.ToAsyncEnumerable(), columns);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public async Task The_header_names_every_column_of_the_layout()
    {
        var text = await WriteAsync(new CsvContactColumns(2, 1, 1));

        Assert.Equal(
            "First Name,Last Name,Company,Title,Birthday,Favorite,Tags,Notes,Email 1,Email 1 Label,Email 2,Email 2 Label,Phone 1,Phone 1 Label,"
            + "Address 1 Street,Address 1 Locality,Address 1 Region,Address 1 Postal Code,Address 1 Country,Address 1 Label,Id,Created At,Updated At\r\n",
            text);
    }

    [Fact]
    public async Task A_contact_is_a_row_quoted_per_rfc_4180()
    {
        var text = await WriteAsync(new CsvContactColumns(1, 1, 1), Contact(
            company: "Smith, Jones & \"Partners\"",
            notes: "Line one\r\nLine two",
            favorite: true,
            birthday: new DateOnly(1815, 12, 10),
            tags: ["friends", "a, b"],
            emails: [new("work", "ada@example.org")],
            addresses: [new("home", "12 St James's Square", "London", null, "SW1Y 4JH", "UK")]));

        Assert.Equal(
            "Ada,Lovelace,\"Smith, Jones & \"\"Partners\"\"\",,1815-12-10,true,\"friends, a\\, b\",\"Line one\r\nLine two\",ada@example.org,work,,,"
            + "12 St James's Square,London,,SW1Y 4JH,UK,home,42,2024-01-02T03:04:05.0000000+00:00,2025-06-07T08:09:10.0000000+02:00\r\n",
            text.Split("\r\n", 2)[1]);
    }

    [Fact]
    public async Task More_values_than_the_layout_has_columns_for_is_refused_rather_than_dropped()
    {
        var problem = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            WriteAsync(new CsvContactColumns(1, 0, 0), Contact(emails: [new(null, "a@example.org"), new(null, "b@example.org")])));

        Assert.Contains("2 values of kind Email", problem.Message);
    }

    public static TheoryData<ContactDto> RoundTripContacts => new()
    {
        Everything(),
        Contact(),
        Contact(lastName: null, tags: ["\\", ",", "a\\,b"], notes: "\"quoted\"\n,\r\n"),
        Contact(phones: [new("mobile", "+1 555"), new(null, "+2 555")], addresses: [new(null, null, null, null, null, "Iceland")]),
    };

    [Theory]
    [MemberData(nameof(RoundTripContacts))]
    public async Task What_is_written_reads_back_as_the_same_contact(ContactDto contact)
    {
        var records = await ReadAsync(await WriteAsync(null, contact));

        SameContact(contact, SingleContact(records));
        Assert.Equal(2, records[0].LineNumber);
    }

    [Fact]
    public async Task Rfc_4180_quoting_is_read_commas_crlf_and_doubled_quotes_inside_quotes()
    {
        // RFC 4180 §2's rules 5 to 7: quoted fields with a comma, a line break and a doubled quote.
        var records = await ReadAsync(
            "first name,company,notes\r\n"
            + "aaa,\"b,bb\",\"c\r\ncc\"\r\n"
            + "zzz,\"b\"\"bb\",ccc\r\n"
            + "\"yyy\",,\"x\"\r\n");

        Assert.Equal([2, 4, 5], records.Select(r => r.LineNumber));
        Assert.Equal(("aaa", "b,bb", "c\r\ncc"), (records[0].Contact!.FirstName, records[0].Contact!.Company, records[0].Contact!.Notes));
        Assert.Equal(("zzz", "b\"bb"), (records[1].Contact!.FirstName, records[1].Contact!.Company));
        Assert.Equal(("yyy", null), (records[2].Contact!.FirstName, records[2].Contact!.Company));
    }

    [Fact]
    public async Task Headers_match_in_any_case_and_order_and_unknown_or_missing_columns_are_fine()
    {
        var contact = SingleContact(await ReadAsync(
            "Phone 2,NOTES,shoe size,first_name,E-mail 1 - Value,email 1 label,PHONE 2 LABEL,Address 3 Country,Favorite\r\n"
            + "+1 555,Hello,44,Ada,ada@example.org,work,home,UK,yes\r\n"));

        Assert.Equal("Ada", contact.FirstName);
        Assert.Null(contact.LastName);
        Assert.Equal("Hello", contact.Notes);
        Assert.True(contact.Favorite);
        Assert.Null(contact.Tags);
        Assert.Equal([new LabelledValue("work", "ada@example.org")], contact.Emails);
        Assert.Equal([new LabelledValue("home", "+1 555")], contact.Phones);
        Assert.Equal([new PostalAddress(null, null, null, null, null, "UK")], contact.Addresses);
    }

    [Fact]
    public async Task Numbered_columns_are_read_in_their_numbers_order_and_empty_ones_skipped()
    {
        var contact = SingleContact(await ReadAsync("Email 10,First Name,Email 2,Email 1,Email 1 Label\r\nten,Ada,two,,\r\n"));

        Assert.Equal(["two", "ten"], contact.Emails!.Select(email => email.Value));
    }

    [Fact]
    public async Task A_label_without_its_value_is_kept_for_validation_to_report()
    {
        var contact = SingleContact(await ReadAsync("First Name,Email 1,Email 1 Label\r\nAda,,work\r\n"));

        Assert.Equal([new LabelledValue("work", "")], contact.Emails);
    }

    [Theory]
    [InlineData("Last Name,Company\r\nLovelace,Engines\r\n", "no 'First Name' column")]
    [InlineData("", "The file is empty")]
    [InlineData("First Name,Email 1,first name\r\nAda,a@example.org,Ada\r\n", "twice: columns 1 and 3")]
    public async Task A_header_the_contacts_cannot_be_read_under_is_an_error_for_the_file(string text, string message)
    {
        var problem = await Assert.ThrowsAsync<ContactFileFormatException>(() => ReadAsync(text));

        Assert.Equal(1, problem.LineNumber);
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public async Task Bad_records_are_errors_at_the_line_they_start_on_and_the_rest_is_read()
    {
        var records = await ReadAsync(
            "First Name,Notes,Favorite\r\n"
            + "Ada,\"two\r\nlines\",true\r\n"
            + "Bob,too,many,fields\r\n"
            + "\r\n"
            + "Cy,fine,maybe\r\n"
            + "Di,\"ok\",no\r\n"
            + "Ed,x\"y,1\r\n"
            + "Flo,last,0\r\n");

        Assert.Equal([2, 4, 6, 7, 8, 9], records.Select(r => r.LineNumber));
        Assert.Equal("Ada", records[0].Contact?.FirstName);
        Assert.Equal("Line 4 does not have the header's 3 fields; a value with a comma in it must be in double quotes.", records[1].Error);
        Assert.Equal("Line 6: Favorite is true or false (or yes/no, 1/0), not 'maybe'.", records[2].Error);
        Assert.False(records[3].Contact?.Favorite);
        Assert.Contains("double quote", records[4].Error);
        Assert.Equal(("Flo", false), (records[5].Contact?.FirstName, records[5].Contact?.Favorite));
    }

    [Fact]
    public async Task An_unclosed_quote_is_an_error_at_its_record()
    {
        var records = await ReadAsync("First Name,Notes\r\nAda,fine\r\nBob,\"never closed\r\nCy,lost\r\n");

        Assert.Equal([2, 3], records.Select(r => r.LineNumber));
        Assert.Equal("Line 3 opens a double quote that is never closed.", records[1].Error);
    }

    [Fact]
    public async Task A_spreadsheets_semicolons_lf_line_ends_and_byte_order_mark_are_read()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("First Name;Tags\nZoë;\"a; b, c\"\n")).ToArray();

        var contact = SingleContact(await ReadAllAsync(CsvContactReader.ReadAsync(new MemoryStream(bytes))));

        Assert.Equal("Zoë", contact.FirstName);
        Assert.Equal(["a; b", "c"], contact.Tags);
    }

    [Fact]
    public async Task A_file_of_only_first_names_is_read()
    {
        var records = await ReadAsync("First Name\r\nAda\r\nBob\r\n");

        Assert.Equal(["Ada", "Bob"], records.Select(r => r.Contact?.FirstName));
    }

    [Fact]
    public async Task The_first_row_comes_out_before_the_file_is_read_to_its_end()
    {
        var (first, bytesRead, fileBytes) = await FirstOfLargeFileAsync("First Name,Notes\r\n", "Ada,\"a note, quoted\"\r\n", stream => CsvContactReader.ReadAsync(stream));

        Assert.Equal("Ada", first.Contact?.FirstName);
        Assert.True(bytesRead < fileBytes / 4, $"{bytesRead} of {fileBytes} bytes read for the first row");
    }
}
