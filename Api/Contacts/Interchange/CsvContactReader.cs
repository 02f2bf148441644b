using System.Runtime.CompilerServices;
using CsvHelper;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>Reads contacts from CSV files (RFC 4180) laid out as <see cref="CsvContactColumns"/> describes.</summary>
public static class CsvContactReader
{
    /// <summary>
    /// Reads the rows of <paramref name="utf8"/>, one at a time, in memory that does not grow with the file: for each
    /// its contact, or why it could not be read (a wrong number of fields, broken quoting, a favourite that is neither
    /// true nor false), at the line where the row starts, the header being line 1. The separator may be a comma, or
    /// the semicolon or tab a spreadsheet saves with in some languages. The stream is left open.
    /// </summary>
    /// <exception cref="ContactFileFormatException">The file is empty, or its header has no first-name column or names a column twice.</exception>
    public static async IAsyncEnumerable<ContactRecord> ReadAsync(Stream utf8, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var malformed = new Queue<CsvMalformedRecord>();
        var options = CsvReaderOptions.Default with
        {
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Skip,
            FieldCountMismatch = CsvFieldCountHandling.Skip,
            OnMalformedRecord = malformed.Enqueue,
        };

        await using var reader = CsvReader.Create(utf8, options, leaveOpen: true);
        await reader.ReadHeaderAsync(cancellationToken);
        var columns = CsvColumnMap.Create(reader.Headers);
        while (await reader.ReadAsync(cancellationToken))
        {
            // Rows skipped on the way to this one come before it in the file.
            while (malformed.TryDequeue(out var skipped))
            {
                yield return Failed(skipped, reader.Headers.Count);
            }

            yield return columns.Read(reader, (int)reader.LineNumber);
        }

        while (malformed.TryDequeue(out var skipped))
        {
            yield return Failed(skipped, reader.Headers.Count);
        }
    }

    private static ContactRecord Failed(CsvMalformedRecord record, int headerFields)
    {
        var line = (int)record.LineNumber;
        return ContactRecord.Failed(line, record.Reason switch
        {
            CsvMalformedReason.FieldCountMismatch =>
                $"Line {line} does not have the header's {headerFields} fields; a value with a comma in it must be in double quotes.",
            CsvMalformedReason.UnterminatedQuote => $"Line {line} opens a double quote that is never closed.",
            CsvMalformedReason.TextAfterClosingQuote => $"Line {line} has text after the closing double quote of a value.",
            _ => $"Line {line} has a double quote inside a value; write the value in double quotes, with its own double quotes doubled.",
        });
    }
}
