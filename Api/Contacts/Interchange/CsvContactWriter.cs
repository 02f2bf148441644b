using CsvHelper;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>Writes contacts as CSV (RFC 4180) laid out as <see cref="CsvContactColumns"/> describes.</summary>
public static class CsvContactWriter
{
    /// <summary>
    /// Writes the header and then a row per contact, as UTF-8 with CRLF line ends, quoting the values that need it,
    /// in a buffer that is written out as it fills, so an export streams whatever its size. The stream is left open.
    /// </summary>
    /// <param name="columns">
    /// How many email, phone and address columns to write; <see cref="CsvContactColumns.AllAllowed"/> when null. A
    /// caller that knows the most any contact has can pass those counts for a narrower sheet.
    /// </param>
    /// <exception cref="InvalidOperationException">A contact has more values than <paramref name="columns"/> has columns for.</exception>
    public static async Task WriteAsync(
        Stream output, IAsyncEnumerable<ContactDto> contacts, CsvContactColumns? columns = null, CancellationToken cancellationToken = default)
    {
        columns ??= CsvContactColumns.AllAllowed;
        await using var csv = CsvWriter.Create(output, CsvWriterOptions.Default, leaveOpen: true);
        csv.WriteHeader(columns.HeaderNames());
        await foreach (var contact in contacts.WithCancellation(cancellationToken))
        {
            await csv.WriteRecordAsync(columns.Fields(contact), cancellationToken);
        }

        await csv.FlushAsync(cancellationToken);
    }
}
