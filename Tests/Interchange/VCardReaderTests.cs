extern alias Api;

using System.Text;
using Api::AddressBook.Api.Contacts.Interchange;
using Api::AddressBook.Api.Data;
using static AddressBook.Tests.Interchange.InterchangeAssert;

namespace AddressBook.Tests.Interchange;

public sealed class VCardReaderTests
{
    private static Task<List<ContactRecord>> ReadAsync(string text) => ReadAllAsync(VCardReader.ReadAsync(Utf8(text)));

    private static async Task<Api::AddressBook.Api.Contacts.ContactInput> ReadOneAsync(string properties) =>
        SingleContact(await ReadAsync($"BEGIN:VCARD\r\nVERSION:4.0\r\n{properties}\r\nEND:VCARD\r\n"));

    /// <summary>RFC 6350 §8's example, written out from the RFC, folds included.</summary>
    [Fact]
    public async Task The_rfc_6350_example_card_is_read()
    {
        var records = await ReadAsync(RfcExamples.Rfc6350Card);

        Assert.Equal(1, Assert.Single(records).LineNumber);
        var simon = SingleContact(records);
        Assert.Equal("Simon", simon.FirstName);
        Assert.Equal("Perreault", simon.LastName);
        Assert.Equal("Viagenie", simon.Company);
        Assert.Null(simon.Birthday);
        Assert.Equal([new LabelledValue("work", "simon.perreault@viagenie.ca")], simon.Emails);
        Assert.Equal(
            [new LabelledValue("work", "+1-418-656-9254;ext=102"), new LabelledValue("work mobile video text", "+1-418-262-6501")],
            simon.Phones);
        Assert.Equal([new PostalAddress("work", "2875 Laurier\nSuite D2-630", "Quebec", "QC", "G1V 2M2", "Canada")], simon.Addresses);
        Assert.Null(simon.Tags);
        Assert.Null(simon.Favorite);
    }

    /// <summary>RFC 2426 §7's two vCard 3.0 examples, which have FN but no N.</summary>
    [Fact]
    public async Task The_rfc_2426_example_cards_are_read()
    {
        const string cards = """
            BEGIN:vCard
            VERSION:3.0
            FN:Frank Dawson
            ORG:Lotus Development Corporation
            ADR;TYPE=WORK,POSTAL,PARCEL:;;6544 Battleford Drive
             ;Raleigh;NC;27613-3502;U.S.A.
            TEL;TYPE=VOICE,MSG,WORK:+1-919-676-9515
            TEL;TYPE=FAX,WORK:+1-919-676-9564
            EMAIL;TYPE=INTERNET,PREF:Frank_Dawson@Lotus.com
            EMAIL;TYPE=INTERNET:fdawson@earthlink.net
            URL:http://home.earthlink.net/~fdawson
            END:vCard


            BEGIN:vCard
            VERSION:3.0
            FN:Tim Howes
            ORG:Netscape Communications Corp.
            ADR;TYPE=WORK:;;501 E. Middlefield Rd.;Mountain View;
             CA; 94043;U.S.A.
            TEL;TYPE=VOICE,MSG,WORK:+1-415-937-3419
            TEL;TYPE=FAX,WORK:+1-415-528-4164
            EMAIL;TYPE=INTERNET:howes@netscape.com
            END:vCard

            """;

        var records = await ReadAsync(cards.ReplaceLineEndings("\r\n"));

        Assert.Equal([1, 15], records.Select(r => r.LineNumber));
        Assert.All(records, record => Assert.True(record.IsContact, record.Error));
        var frank = records[0].Contact!;
        Assert.Equal("Frank Dawson", frank.FirstName);
        Assert.Null(frank.LastName);
        Assert.Equal("Lotus Development Corporation", frank.Company);
        Assert.Equal([new PostalAddress("work", "6544 Battleford Drive", "Raleigh", "NC", "27613-3502", "U.S.A.")], frank.Addresses);
        Assert.Equal([new LabelledValue("work", "+1-919-676-9515"), new LabelledValue("fax work", "+1-919-676-9564")], frank.Phones);
        Assert.Equal([new LabelledValue(null, "Frank_Dawson@Lotus.com"), new LabelledValue(null, "fdawson@earthlink.net")], frank.Emails);

        var tim = records[1].Contact!;
        Assert.Equal("Tim Howes", tim.FirstName);
        Assert.Equal("Netscape Communications Corp.", tim.Company);
        Assert.Equal([new PostalAddress("work", "501 E. Middlefield Rd.", "Mountain View", "CA", "94043", "U.S.A.")], tim.Addresses);
        Assert.Equal([new LabelledValue(null, "howes@netscape.com")], tim.Emails);
    }

    [Theory]
    [InlineData("\r\n ")]
    [InlineData("\r\n\t")]
    [InlineData("\n ")]
    public async Task Folded_lines_are_unfolded_with_crlf_or_lf_and_space_or_tab(string fold)
    {
        var contact = SingleContact(await ReadAsync(
            $"BEGIN:VCARD\nVERSION:4.0\nN:Lovelace;A{fold}da;;;\nNOTE:This is a lo{fold}ng note{fold}.\nEND:VCARD\n"));

        Assert.Equal("Ada", contact.FirstName);
        Assert.Equal("This is a long note.", contact.Notes);
    }

    [Fact]
    public async Task A_fold_inside_a_multi_byte_utf8_sequence_is_unfolded_before_decoding()
    {
        // "é" is C3 A9 and "😀" F0 9F 98 80; a writer counting octets may fold between any two of them.
        var bytes = new List<byte>();
        bytes.AddRange("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Caf"u8.ToArray());
        bytes.AddRange([0xC3, (byte)'\r', (byte)'\n', (byte)' ', 0xA9]);
        bytes.AddRange("\r\nNOTE:smile "u8.ToArray());
        bytes.AddRange([0xF0, 0x9F, (byte)'\r', (byte)'\n', (byte)'\t', 0x98, 0x80]);
        bytes.AddRange("\r\nEND:VCARD\r\n"u8.ToArray());

        var contact = SingleContact(await ReadAllAsync(VCardReader.ReadAsync(new MemoryStream([.. bytes]))));

        Assert.Equal("Café", contact.FirstName);
        Assert.Equal("smile 😀", contact.Notes);
    }

    [Fact]
    public async Task Text_values_are_unescaped_and_structured_values_split_only_at_unescaped_separators()
    {
        var contact = await ReadOneAsync("""
            N:O\;Brien\, Jr.;Anne,Marie;Louise;;
            ORG:ABC\, Inc.;North American Division;Marketing
            TITLE:Head\, R\&D
            NOTE:Line one\nLine two\NLine three\, with\; marks and a \\ backslash
            """.ReplaceLineEndings("\r\n"));

        Assert.Equal("O;Brien, Jr.", contact.LastName);
        Assert.Equal("Anne Marie Louise", contact.FirstName);
        Assert.Equal("ABC, Inc., North American Division, Marketing", contact.Company);
        Assert.Equal("Head, R&D", contact.Title);
        Assert.Equal("Line one\nLine two\nLine three, with; marks and a \\ backslash", contact.Notes);
    }

    [Fact]
    public async Task Types_are_read_however_they_are_listed_and_pref_comes_first()
    {
        var contact = await ReadOneAsync("""
            FN:Ada
            EMAIL;TYPE=home:a@home.example
            EMAIL;TYPE=work;TYPE=home;PREF=2:a@both.example
            EMAIL;type="WORK":a@work.example
            EMAIL;PREF=1:a@first.example
            TEL;TYPE=CELL:+1 555 0100
            TEL;WORK;VOICE:+1 555 0101
            """.ReplaceLineEndings("\r\n"));

        Assert.Equal(
            [new("work home", "a@both.example"), new(null, "a@first.example"), new("home", "a@home.example"), new("work", "a@work.example")],
            contact.Emails!.OrderBy(email => email.Value).ToArray());
        Assert.Equal("a@first.example", contact.Emails![0].Value);
        Assert.Equal("a@both.example", contact.Emails[1].Value);
        Assert.Equal([new LabelledValue("mobile", "+1 555 0100"), new LabelledValue("work", "+1 555 0101")], contact.Phones);
    }

    [Fact]
    public async Task A_groups_x_ablabel_is_the_label_of_its_values_whether_before_or_after_them()
    {
        var contact = await ReadOneAsync("""
            FN:Ada
            item1.X-ABLabel:Lake house
            item1.TEL;TYPE=home:+1 555 0100
            item2.EMAIL;TYPE=INTERNET:ada@example.org
            item2.X-ABLabel:_$!<Other>!$_
            ITEM3.ADR:;;1 Main St;Springfield;;;
            item3.X-ABLABEL:Büro\, hinten
            """.ReplaceLineEndings("\r\n"));

        Assert.Equal([new LabelledValue("Lake house", "+1 555 0100")], contact.Phones);
        Assert.Equal([new LabelledValue("other", "ada@example.org")], contact.Emails);
        Assert.Equal("Büro, hinten", Assert.Single(contact.Addresses!).Label);
    }

    [Fact]
    public async Task Categories_across_lines_are_the_tags_with_escaped_commas_kept()
    {
        var contact = await ReadOneAsync("FN:Ada\r\nCATEGORIES:friends, work ,,Smith\\, Jones family\r\nCATEGORIES:été");

        Assert.Equal(["friends", "work", "Smith, Jones family", "été"], contact.Tags);
    }

    [Theory]
    [InlineData("BDAY:19850412", "1985-04-12")]
    [InlineData("BDAY:1985-04-12", "1985-04-12")]
    [InlineData("BDAY:1953-10-15T23:10:00Z", "1953-10-15")]
    [InlineData("BDAY:19531015T231000Z", "1953-10-15")]
    [InlineData("BDAY:--0412", null)]
    [InlineData("BDAY:--04-12", null)]
    [InlineData("BDAY:1985", null)]
    [InlineData("BDAY:1985-04", null)]
    [InlineData("BDAY;VALUE=text:circa 1800", null)]
    [InlineData("BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-12", null)]
    public async Task Whole_birthdays_are_kept_and_those_without_a_year_or_day_dropped(string property, string? birthday)
    {
        var contact = await ReadOneAsync($"FN:Ada\r\n{property}");

        Assert.Equal("Ada", contact.FirstName);
        Assert.Equal(birthday, contact.Birthday);
    }

    [Theory]
    [InlineData("BDAY:yesterday")]
    [InlineData("BDAY:1985-02-30")]
    public async Task A_birthday_that_is_no_date_is_an_error_naming_its_line(string property)
    {
        var error = SingleError(await ReadAsync($"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\n{property}\r\nEND:VCARD\r\n"));

        Assert.Equal(1, error.LineNumber);
        Assert.StartsWith("Line 4:", error.Error);
        Assert.Contains("not a date", error.Error);
    }

    [Fact]
    public async Task Tel_uris_and_text_numbers_are_both_read()
    {
        var contact = await ReadOneAsync("FN:Ada\r\nTEL;VALUE=uri:tel:+1-555-555-5555\r\nTEL:+44 20 7946 0958\r\nTEL:TEL:%2B33%201");

        Assert.Equal(["+1-555-555-5555", "+44 20 7946 0958", "+33 1"], contact.Phones!.Select(phone => phone.Value));
    }

    [Fact]
    public async Task The_favourite_flag_is_read_from_its_x_property()
    {
        Assert.True((await ReadOneAsync("FN:Ada\r\nX-ADDRESSBOOK-FAVORITE:TRUE")).Favorite);
        Assert.False((await ReadOneAsync("FN:Ada\r\nx-addressbook-favorite:false")).Favorite);
        Assert.Contains("TRUE or FALSE", SingleError(await ReadAsync("BEGIN:VCARD\r\nFN:Ada\r\nX-ADDRESSBOOK-FAVORITE:maybe\r\nEND:VCARD")).Error);
    }

    [Fact]
    public async Task N_gives_the_names_and_fn_stands_in_only_without_a_given_name()
    {
        var both = await ReadOneAsync("FN:Mr. John Q. Public\\, Esq.\r\nN:Public;John;Quinlan;Mr.;Esq.");
        Assert.Equal(("John Quinlan", "Public"), (both.FirstName, both.LastName));

        var familyOnly = await ReadOneAsync("FN:Acme Widgets\r\nN:Acme;;;;");
        Assert.Equal(("Acme Widgets", null), (familyOnly.FirstName, familyOnly.LastName));

        var nameless = SingleError(await ReadAsync("BEGIN:VCARD\r\nVERSION:4.0\r\nEMAIL:x@example.org\r\nEND:VCARD\r\n"));
        Assert.Contains("no name", nameless.Error);
    }

    [Fact]
    public async Task Vcard_3_quoted_printable_with_a_charset_and_soft_line_breaks_is_decoded()
    {
        var contact = await ReadOneAsync("""
            N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;
            NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Line one=0ALine=
             two continues=
            here =3D equal
            ADR;WORK;QUOTED-PRINTABLE;CHARSET=ISO-8859-1:;;Stra=DFe 1;K=F6ln;;;
            """.ReplaceLineEndings("\r\n"));

        Assert.Equal(("Jürgen", "Müller"), (contact.FirstName, contact.LastName));
        Assert.Equal("Line one\nLine two continueshere = equal", contact.Notes);
        Assert.Equal(new PostalAddress("work", "Straße 1", "Köln", null, null, null), Assert.Single(contact.Addresses!));
    }

    [Fact]
    public async Task Invalid_utf8_is_an_error_naming_its_line_and_the_next_card_is_still_read()
    {
        var bytes = new List<byte>();
        bytes.AddRange("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bad\r\nNOTE:folded\r\n byte "u8.ToArray());
        bytes.AddRange([0xFF, 0xFE]);
        bytes.AddRange("\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Good\r\nEND:VCARD\r\n"u8.ToArray());

        var records = await ReadAllAsync(VCardReader.ReadAsync(new MemoryStream([.. bytes])));

        Assert.Equal(2, records.Count);
        Assert.Equal((1, "Line 5 is not valid UTF-8 text."), (records[0].LineNumber, records[0].Error));
        Assert.Equal((7, "Good"), (records[1].LineNumber, records[1].Contact?.FirstName));
    }

    /// <summary>Each expected record is the contact's first name, or with a leading "!" part of the error's message.</summary>
    [Theory]
    [InlineData("BEGIN:VCARD\r\nFN:One\r\nBEGIN:VCARD\r\nFN:Two\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Three\r\n",
        new[] { 1, 3, 6 }, new[] { "!no END:VCARD before the next BEGIN:VCARD on line 3", "Two", "!no END:VCARD before the file ends" })]
    [InlineData("\r\nhello\r\nworld\r\nBEGIN:VCARD\r\nFN:Ada\r\n\r\nEND:VCARD\r\n\r\nstray\r\n",
        new[] { 2, 4, 9 }, new[] { "!Line 2 is outside any vCard", "Ada", "!Line 9 is outside any vCard" })]
    public async Task Cards_without_end_and_lines_outside_cards_are_errors_at_their_lines_and_the_rest_is_read(
        string text, int[] lineNumbers, string[] expected)
    {
        var records = await ReadAsync(text);

        Assert.Equal(lineNumbers, records.Select(r => r.LineNumber));
        Assert.All(records.Zip(expected), pair =>
        {
            if (pair.Second.StartsWith('!'))
            {
                Assert.Contains(pair.Second[1..], pair.First.Error);
            }
            else
            {
                Assert.Equal(pair.Second, pair.First.Contact?.FirstName);
            }
        });
    }

    [Fact]
    public async Task A_line_that_is_no_property_is_an_error()
    {
        var error = SingleError(await ReadAsync("BEGIN:VCARD\r\nFN:Ada\r\njust some text\r\nEND:VCARD\r\n"));

        Assert.Equal("Line 3 is not a vCard property such as NAME:value.", error.Error);
    }

    [Fact]
    public async Task Unknown_properties_are_ignored_even_huge_ones_but_a_huge_known_one_is_an_error()
    {
        var photo = "PHOTO;ENCODING=b;TYPE=JPEG:" + string.Concat(Enumerable.Repeat("\r\n " + new string('A', 74), 5_000));
        var note = "NOTE:" + string.Concat(Enumerable.Repeat("\r\n " + new string('n', 74), 5_000));

        var withPhoto = await ReadOneAsync($"FN:Ada\r\nX-UNKNOWN;FOO=bar:baz\r\n{photo}\r\nTITLE:Countess");
        var withNote = SingleError(await ReadAsync($"BEGIN:VCARD\r\nFN:Ada\r\n{note}\r\nEND:VCARD\r\n"));

        Assert.Equal("Countess", withPhoto.Title);
        Assert.Equal("Line 3: the NOTE property is longer than 256 KiB.", withNote.Error);
    }

    [Fact]
    public async Task A_utf8_byte_order_mark_is_skipped()
    {
        var records = await ReadAllAsync(VCardReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetPreamble().Concat("BEGIN:VCARD\nFN:Ada\nEND:VCARD\n"u8.ToArray()).ToArray())));

        Assert.Equal("Ada", SingleContact(records).FirstName);
    }

    [Fact]
    public async Task The_first_card_comes_out_before_the_file_is_read_to_its_end()
    {
        var (first, bytesRead, fileBytes) = await FirstOfLargeFileAsync("", "BEGIN:VCARD\r\nFN:Ada\r\nEND:VCARD\r\n", stream => VCardReader.ReadAsync(stream));

        Assert.Equal("Ada", first.Contact?.FirstName);
        Assert.True(bytesRead < fileBytes / 4, $"{bytesRead} of {fileBytes} bytes read for the first card");
    }
}
