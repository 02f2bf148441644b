using System.Text;
using System.Text.Unicode;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>A logical content line of a vCard file, unfolded; <see cref="Text"/> is decoded leniently when a problem is set.</summary>
internal readonly record struct UnfoldedLine(int Number, string Text, bool TooLong, int? InvalidUtf8Line);

/// <summary>
/// Reads a vCard file's logical lines from its UTF-8 bytes. Unfolding works on bytes, before decoding, because
/// writers fold at 75 octets and may split a multi-byte character across the fold. Memory stays bounded: a line
/// past <see cref="MaxLineBytes"/> keeps only its start, enough to name the property.
/// </summary>
internal sealed class VCardLineReader(Stream utf8)
{
    public const int MaxLineBytes = 256 * 1024;

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    private readonly byte[] buffer = new byte[64 * 1024];
    private readonly MemoryStream line = new();

    // Where each physical line after the first starts in the logical line, to name the line an invalid byte is on.
    private readonly List<(int Offset, int LineNumber)> continuations = [];
    private int start;
    private int end;
    private bool endOfInput;
    private bool bomChecked;
    private int physicalLine;
    private bool tooLong;

    public async ValueTask<UnfoldedLine?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await HasByteAsync(cancellationToken))
        {
            return null;
        }

        var number = ++physicalLine;
        line.SetLength(0);
        continuations.Clear();
        tooLong = false;
        await AppendPhysicalLineAsync(cancellationToken);

        while (await HasByteAsync(cancellationToken))
        {
            // A soft break comes first: the line after it is content as it stands, a leading space included.
            if (EndsWithQuotedPrintableSoftBreak())
            {
                line.SetLength(line.Length - 1);
            }
            else if (buffer[start] is (byte)' ' or (byte)'\t')
            {
                start++;
            }
            else
            {
                break;
            }

            continuations.Add(((int)line.Length, ++physicalLine));
            await AppendPhysicalLineAsync(cancellationToken);
        }

        return Decode(number);
    }

    private UnfoldedLine Decode(int number)
    {
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (!tooLong && Utf8.IsValid(bytes))
        {
            return new UnfoldedLine(number, Encoding.UTF8.GetString(bytes), false, null);
        }

        var lenient = Encoding.UTF8.GetString(bytes);
        return tooLong
            ? new UnfoldedLine(number, lenient, true, null)
            : new UnfoldedLine(number, lenient, false, LineOfByte(FirstInvalidByte(bytes), number));
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (System.Buffers.OperationStatus.Done == Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed))
        {
            offset += consumed;
        }

        return offset;
    }

    private int LineOfByte(int offset, int firstLine) =>
        continuations.LastOrDefault(c => c.Offset <= offset, (Offset: 0, LineNumber: firstLine)).LineNumber;

    /// <summary>
    /// vCard 2.1 and the phones that still write it end a quoted-printable line with "=" and go on at the start of the
    /// next line, without the fold's leading space.
    /// </summary>
    private bool EndsWithQuotedPrintableSoftBreak()
    {
        if (line.Length == 0 || line.GetBuffer()[line.Length - 1] != (byte)'=')
        {
            return false;
        }

        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        var colon = bytes.IndexOf((byte)':');
        return colon > 0 && Encoding.ASCII.GetString(bytes[..colon]).Contains("QUOTED-PRINTABLE", StringComparison.OrdinalIgnoreCase);
    }

    private async ValueTask AppendPhysicalLineAsync(CancellationToken cancellationToken)
    {
        while (await HasByteAsync(cancellationToken))
        {
            var available = buffer.AsSpan(start, end - start);
            var lineFeed = available.IndexOf((byte)'\n');
            Append(lineFeed < 0 ? available : available[..lineFeed]);
            start += lineFeed < 0 ? available.Length : lineFeed + 1;
            if (lineFeed >= 0)
            {
                break;
            }
        }

        if (!tooLong && line.Length > 0 && line.GetBuffer()[line.Length - 1] == (byte)'\r')
        {
            line.SetLength(line.Length - 1);
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (tooLong || line.Length + bytes.Length > MaxLineBytes)
        {
            tooLong = true;
            return;
        }

        line.Write(bytes);
    }

    private async ValueTask<bool> HasByteAsync(CancellationToken cancellationToken)
    {
        while (start == end && !endOfInput)
        {
            start = 0;
            end = await utf8.ReadAsync(buffer, cancellationToken);
            endOfInput = end == 0;
            SkipByteOrderMark();
        }

        return start < end;
    }

    private void SkipByteOrderMark()
    {
        // The first read may in theory return fewer than three bytes; a BOM split that way is not worth handling.
        if (!bomChecked && end > 0)
        {
            bomChecked = true;
            if (buffer.AsSpan(0, end).StartsWith(Utf8Bom))
            {
                start = Utf8Bom.Length;
            }
        }
    }
}
