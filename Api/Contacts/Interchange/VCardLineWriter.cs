using System.Text;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>
/// Appends content lines to a card, folded as RFC 6350 §3.2 asks: lines of at most 75 octets, each continuation
/// starting with a space, never splitting a character's UTF-8 sequence.
/// </summary>
internal sealed class VCardLineWriter(StringBuilder card)
{
    private const int MaxLineOctets = 75;

    private int groups;

    /// <summary>Appends <c>name:value</c>; the name may carry parameters and the value must be escaped already.</summary>
    public void Append(string name, string value)
    {
        var octets = 0;
        foreach (var rune in $"{name}:{value}".EnumerateRunes())
        {
            if (octets + rune.Utf8SequenceLength > MaxLineOctets)
            {
                card.Append("\r\n ");
                octets = 1;
            }

            card.Append(rune.ToString());
            octets += rune.Utf8SequenceLength;
        }

        card.Append("\r\n");
    }

    public void AppendText(string name, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            Append(name, VCardText.Escape(text));
        }
    }

    /// <summary>
    /// Appends an EMAIL, TEL or ADR with the TYPE values its label maps to and, when those cannot say the label
    /// exactly, an X-ABLabel beside it in a group of their own.
    /// </summary>
    public void AppendLabelled(string name, string parameters, string? label, IReadOnlySet<string> knownTypes, string value)
    {
        var types = VCardLabels.ToTypes(label, knownTypes);
        var typeParameter = types.Count > 0 ? $";TYPE={string.Join(',', types)}" : "";
        if (!VCardLabels.NeedsOwnLabel(label, types))
        {
            Append($"{name}{parameters}{typeParameter}", value);
            return;
        }

        var group = $"item{++groups}";
        Append($"{group}.{name}{parameters}{typeParameter}", value);
        Append($"{group}.X-ABLabel", VCardText.Escape(label));
    }
}
