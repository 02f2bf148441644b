using System.Runtime.CompilerServices;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>
/// Reads contacts from vCard files: version 4.0 (RFC 6350), and 3.0 (RFC 2426) and 2.1 as phones still write them.
/// Properties map as <see cref="VCardWriter"/> writes them; properties with no field here (PHOTO, URL, GEO…) are
/// ignored.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Names come from N: its given and additional names make the first name, its family names the last name;
/// honorific prefixes and suffixes are not kept. Without a given name, FN is the first name.</item>
/// <item>A label is the value's group's X-ABLabel, else its TYPE values in lower case without those that are no label
/// (pref, voice, internet, msg, postal…), with cell read as "mobile": TYPE=work,fax is "work fax".</item>
/// <item>Emails, phones and addresses come in order of preference (PREF, or 3.0's TYPE=pref), else of the file.</item>
/// <item>ADR's post office box and extended address, which RFC 6350 deprecates, become further lines of the street;
/// ORG's organizational units follow the organization name after commas; several NOTEs are joined by line breaks.</item>
/// <item>A BDAY without a year (--0412), a year or month alone, or free text is dropped, the card kept: the address
/// book stores whole dates, and phones let people save birthdays without a year. Any other BDAY that is not a date
/// is an error.</item>
/// <item>TEL may be text or a tel: URI, whose "tel:" is dropped and the rest kept (so an extension stays as ;ext=).</item>
/// <item>QUOTED-PRINTABLE values (2.1 and 3.0) are decoded in their CHARSET; elsewhere CHARSET is ignored, the
/// file being UTF-8.</item>
/// </list>
/// </remarks>
public static class VCardReader
{
    /// <summary>
    /// Reads every card of <paramref name="utf8"/>, one at a time, in memory that does not grow with the file: for
    /// each card its contact, or the error that stops it, at the line of its BEGIN:VCARD. A run of lines outside any
    /// card, and a card without END:VCARD, are errors too. The stream is left open.
    /// </summary>
    public static async IAsyncEnumerable<ContactRecord> ReadAsync(Stream utf8, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var lines = new VCardLineReader(utf8);
        VCardContactBuilder? card = null;
        var outsideReported = false;
        while (await lines.ReadAsync(cancellationToken) is { } line)
        {
            if (IsDelimiter(line, "BEGIN"))
            {
                if (card is not null)
                {
                    yield return ContactRecord.Failed(card.StartLine,
                        $"The vCard that starts on line {card.StartLine} has no END:VCARD before the next BEGIN:VCARD on line {line.Number}.");
                }

                card = new VCardContactBuilder(line.Number);
            }
            else if (card is null)
            {
                if (!string.IsNullOrWhiteSpace(line.Text) && !outsideReported)
                {
                    yield return ContactRecord.Failed(line.Number, $"Line {line.Number} is outside any vCard; a card starts with BEGIN:VCARD.");
                }

                outsideReported |= !string.IsNullOrWhiteSpace(line.Text);
            }
            else if (IsDelimiter(line, "END"))
            {
                yield return card.Build();
                card = null;
                outsideReported = false;
            }
            else
            {
                card.Add(line);
            }
        }

        if (card is not null)
        {
            yield return ContactRecord.Failed(card.StartLine, $"The vCard that starts on line {card.StartLine} has no END:VCARD before the file ends.");
        }
    }

    private static bool IsDelimiter(UnfoldedLine line, string name) =>
        line.InvalidUtf8Line is null && VCardProperty.Parse(line.Text) is { } property
        && property.Name == name && property.Value.Trim().Equals("VCARD", StringComparison.OrdinalIgnoreCase);
}
