using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>
/// Writes contacts as vCard 4.0 (RFC 6350), which <see cref="VCardReader"/> reads back field for field:
/// N (last; first) and FN, ORG, TITLE, BDAY (19850412), NOTE, CATEGORIES (the tags), EMAIL, TEL and ADR (street;
/// locality; region; postal code; country) with TYPE values from their labels, X-ADDRESSBOOK-FAVORITE:TRUE for a
/// favourite, UID (the id) and REV (the last update). A label the TYPE values cannot say exactly, such as
/// "Lake house" or "Work" with its capital, is also written as an X-ABLabel property in the value's group
/// (item1.TEL, item1.X-ABLabel), which Apple's and Google's contacts apps show as the label.
/// </summary>
public static class VCardWriter
{
    internal const string FavoriteProperty = "X-ADDRESSBOOK-FAVORITE";

    /// <summary>
    /// Writes one card per contact as UTF-8 with CRLF line ends, each card written out before the next contact is
    /// asked for, so an export streams whatever its size. The stream is left open.
    /// </summary>
    public static async Task WriteAsync(Stream output, IAsyncEnumerable<ContactDto> contacts, CancellationToken cancellationToken = default)
    {
        await using var text = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
        var card = new StringBuilder();
        await foreach (var contact in contacts.WithCancellation(cancellationToken))
        {
            card.Clear();
            AppendCard(card, contact);
            await text.WriteAsync(card, cancellationToken);
        }

        await text.FlushAsync(cancellationToken);
    }

    private static void AppendCard(StringBuilder card, ContactDto contact)
    {
        var lines = new VCardLineWriter(card);
        lines.Append("BEGIN", "VCARD");
        lines.Append("VERSION", "4.0");
        lines.Append("UID;VALUE=text", VCardText.Escape(contact.Id.ToString(CultureInfo.InvariantCulture)));
        lines.Append("REV", contact.UpdatedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        lines.Append("FN", VCardText.Escape($"{contact.FirstName} {contact.LastName}".Trim()));
        lines.Append("N", $"{VCardText.Escape(contact.LastName ?? "")};{VCardText.Escape(contact.FirstName)};;;");
        lines.AppendText("ORG", contact.Company);
        lines.AppendText("TITLE", contact.Title);
        if (contact.Birthday is { } birthday)
        {
            lines.Append("BDAY", birthday.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        }

        lines.AppendText("NOTE", contact.Notes);
        if (contact.Tags.Count > 0)
        {
            lines.Append("CATEGORIES", string.Join(',', contact.Tags.Select(VCardText.Escape)));
        }

        if (contact.Favorite)
        {
            lines.Append(FavoriteProperty, "TRUE");
        }

        foreach (var email in contact.Emails)
        {
            lines.AppendLabelled("EMAIL", "", email.Label, VCardLabels.EmailTypes, VCardText.Escape(email.Value));
        }

        foreach (var phone in contact.Phones)
        {
            // Numbers as people write them, "+44 (20) 7946-0958", are not tel: URIs, so they go as text.
            lines.AppendLabelled("TEL", ";VALUE=text", phone.Label, VCardLabels.PhoneTypes, VCardText.Escape(phone.Value));
        }

        foreach (var address in contact.Addresses)
        {
            string?[] components = [null, null, address.Street, address.Locality, address.Region, address.PostalCode, address.Country];
            var value = string.Join(';', components.Select(component => VCardText.Escape(component ?? "")));
            lines.AppendLabelled("ADR", "", address.Label, VCardLabels.AddressTypes, value);
        }

        lines.Append("END", "VCARD");
    }
}
