using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using AddressBook.Api.Data;

namespace AddressBook.Api.Contacts;

/// <summary>
/// Writes a contact's emails, phones and addresses as the UTF-8 JSON their jsonb columns hold (the names
/// <see cref="PersonConfiguration"/>'s web serializer gives them), into one buffer reused for every record of an import.
/// JsonSerializer allocated a frame stack and a string per list, and at a million records the garbage collections that
/// caused took over half of the import's own time.
/// </summary>
internal sealed class DetailListsJson
{
    // PostgreSQL parses the text into jsonb: escaping non-ASCII letters would only make it longer.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private static readonly byte[] EmptyList = "[]"u8.ToArray();

    private readonly ArrayBufferWriter<byte> buffer = new(1024);

    private readonly Utf8JsonWriter writer;

    public DetailListsJson() => writer = new Utf8JsonWriter(buffer, Options);

    public byte[] Of(List<LabelledValue> values)
    {
        if (values.Count == 0)
        {
            return EmptyList;
        }

        StartList();
        foreach (var value in values)
        {
            writer.WriteStartObject();
            writer.WriteString("label"u8, value.Label);
            writer.WriteString("value"u8, value.Value);
            writer.WriteEndObject();
        }

        return EndList();
    }

    public byte[] Of(List<PostalAddress> addresses)
    {
        if (addresses.Count == 0)
        {
            return EmptyList;
        }

        StartList();
        foreach (var address in addresses)
        {
            writer.WriteStartObject();
            writer.WriteString("label"u8, address.Label);
            writer.WriteString("street"u8, address.Street);
            writer.WriteString("locality"u8, address.Locality);
            writer.WriteString("region"u8, address.Region);
            writer.WriteString("postalCode"u8, address.PostalCode);
            writer.WriteString("country"u8, address.Country);
            writer.WriteEndObject();
        }

        return EndList();
    }

    private void StartList()
    {
        buffer.ResetWrittenCount();
        writer.Reset();
        writer.WriteStartArray();
    }

    private byte[] EndList()
    {
        writer.WriteEndArray();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
