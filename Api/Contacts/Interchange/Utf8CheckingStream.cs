using System.Text.Unicode;

namespace AddressBook.Api.Contacts.Interchange;

/// <summary>
/// Passes a file through unchanged while checking that it is UTF-8, so a file saved in another encoding is refused at the
/// line where it goes wrong instead of being imported with its letters replaced.
/// </summary>
public sealed class Utf8CheckingStream(Stream inner) : Stream
{
    // A character split across two reads: at most three of its bytes wait for the next read.
    private readonly byte[] _pending = new byte[3];
    private int _pendingCount;
    private int _line = 1;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Check(buffer.Span[..read], endOfFile: read == 0);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Check(buffer.AsSpan(offset, read), endOfFile: read == 0);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Check(ReadOnlySpan<byte> bytes, bool endOfFile)
    {
        if (endOfFile)
        {
            if (_pendingCount > 0)
            {
                throw NotUtf8();
            }

            return;
        }

        var joined = new byte[_pendingCount + bytes.Length];
        _pending.AsSpan(0, _pendingCount).CopyTo(joined);
        bytes.CopyTo(joined.AsSpan(_pendingCount));
        var complete = CompleteLength(joined);
        var lineEnds = 0;
        foreach (var line in joined.AsSpan(0, complete).Split((byte)'\n'))
        {
            if (!Utf8.IsValid(joined.AsSpan(line)))
            {
                _line += lineEnds;
                throw NotUtf8();
            }

            lineEnds++;
        }

        _line += lineEnds - 1;
        _pendingCount = joined.Length - complete;
        joined.AsSpan(complete).CopyTo(_pending);
    }

    // The length up to the last whole character: a lead byte near the end whose sequence is not complete yet waits.
    private static int CompleteLength(ReadOnlySpan<byte> bytes)
    {
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) != 0x80)
            {
                var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                return needed > back ? bytes.Length - back : bytes.Length;
            }
        }

        return bytes.Length;
    }

    private ContactFileFormatException NotUtf8() =>
        new(_line, $"Line {_line} is not UTF-8 text. Save the file as UTF-8 and import it again.");
}
